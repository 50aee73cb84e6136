package dpi

import "testing"

func TestH323Cases(t *testing.T) {
	checkProtocolCases(t, H323{})
}

func TestH323TPKT(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"q931 setup", "\x03\x00\x00\x0a\x08\x02\x77\xf4\x05\x04", true},
		{"h245", "\x03\x00\x00\x10\x02\x30\x01\x06\x00\x08\x81\x75\x00\x05\x00\x80", true},
		{"rdp connection request", "\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x00\x00", false},
		{"s7comm data", "\x03\x00\x00\x0a\x02\xf0\x80\x32\x01\x00", false},
		{"length mismatch", "\x03\x00\x00\x0b\x08\x02\x77\xf4\x05\x04", false},
		{"call reference too long", "\x03\x00\x00\x0a\x08\x03\x77\xf4\x05\x04", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h323TPKT([]byte(tt.payload)); got != tt.want {
				t.Errorf("h323TPKT = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzH323(f *testing.F) {
	fuzzDissector(f, H323{}, "h323")
}
