package dpi

import "testing"

func TestCollectdCases(t *testing.T) {
	checkProtocolCases(t, Collectd{})
}

func TestCollectdParts(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"host and time", "\x00\x00\x00\x09host\x00\x00\x01\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x01", true},
		{"unknown later part", "\x00\x00\x00\x09host\x00\xff\xff\x00\x05x", true},
		{"unknown first part", "\xff\xff\x00\x05x", false},
		{"encrypted", "\x02\x10\x00\x06ab", false},
		{"length past end", "\x00\x00\x00\x20host\x00", false},
		{"length below header", "\x00\x00\x00\x02host", false},
		{"short", "\x00\x00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collectdParts([]byte(tt.payload)); got != tt.want {
				t.Errorf("collectdParts = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzCollectd(f *testing.F) {
	fuzzDissector(f, Collectd{}, "collectd")
}

func TestCollectdHost(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"host part first", "\x00\x00\x00\x09host\x00\x00\x01\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x01", "host"},
		{"time part first", "\x00\x01\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09host\x00", ""},
		{"unterminated", "\x00\x00\x00\x08host", ""},
		{"empty", "\x00\x00\x00\x05\x00", ""},
		{"control byte", "\x00\x00\x00\x09ho\x01t\x00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collectdHost([]byte(tt.payload)); got != tt.want {
				t.Errorf("collectdHost = %q, want %q", got, tt.want)
			}
		})
	}
}
