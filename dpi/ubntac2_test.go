package dpi

import "testing"

func TestUBNTAC2Cases(t *testing.T) {
	checkProtocolCases(t, UBNTAC2{})
}

func TestUBNTMessage(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"v1 query", "\x01\x00\x00\x00", true},
		{"v2 announcement", "\x02\x06\x00\x08\x02\x00\x02ab\x03\x00\x00", true},
		{"length mismatch", "\x02\x06\x00\x09\x02\x00\x02ab\x03\x00\x00", false},
		{"tlv past end", "\x02\x06\x00\x05\x02\x00\x09ab", false},
		{"version 3", "\x03\x06\x00\x05\x02\x00\x02ab", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ubntMessage([]byte(tt.payload)); got != tt.want {
				t.Errorf("ubntMessage = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzUBNTAC2(f *testing.F) {
	fuzzDissector(f, UBNTAC2{}, "ubntac2")
}
