package dpi

import "testing"

func TestLineCallCases(t *testing.T) {
	checkProtocolCases(t, LineCall{})
}

func TestLineCallHeader(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"call header", "\xdb\x51\x03\x7f\x06\x02\xb0\x37", Done},
		{"other nibble", "\xcb\x51\x03\x7f\x06\x02\xb0\x37", NotMine},
		{"other marker", "\xdb\x51\x03\x7f\x18\x6e\xb0\x37", NotMine},
		{"short", "\xdb\x51\x03", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP}
			if got := (LineCall{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzLineCall(f *testing.F) {
	fuzzDissector(f, LineCall{}, "linecall")
}
