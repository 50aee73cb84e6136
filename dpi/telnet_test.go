package dpi

import "testing"

func TestTelnetCases(t *testing.T) {
	checkProtocolCases(t, Telnet{})
}

func TestTelnetNegotiation(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"several", "\xff\xfd\x03\xff\xfb\x18\xff\xfb\x1f", Done},
		{"one alone", "\xff\xfd\x25", Done},
		{"one then subnegotiation", "\xff\xfb\x03\xff\xfa\x22\x01\x0b\xff\xf0", Done},
		{"one then text", "\xff\xfd\x25login:", NotMine},
		{"other command", "\xff\xf1\x00", NotMine},
		{"text", "login: ", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolTCP}
			if got := (Telnet{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzTelnet(f *testing.F) {
	fuzzDissector(f, Telnet{}, "telnet")
}
