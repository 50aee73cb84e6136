package dpi

import "testing"

func TestGnutellaCases(t *testing.T) {
	checkPayloadCases(t, Gnutella{}, "gnutella")
}

func TestGnutellaUDPHeaders(t *testing.T) {
	dht := append(make([]byte, 16), 0x44, 0, 0, 2, 0, 0, 0, 'h', 'i')
	tests := []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"g2 single part", []byte("GND\x02\x00\x01\x01\x01payload"), true},
		{"g2 acknowledgement", []byte("GND\x00\x00\x01\x00\x00"), true},
		{"g2 part beyond count", []byte("GND\x00\x00\x01\x03\x02payload"), false},
		{"g2 part zero", []byte("GND\x00\x00\x01\x00\x02payload"), false},
		{"g2 truncated", []byte("GND\x00"), false},
		{"dht descriptor", dht, true},
		{"dht length mismatch", append(dht, 'x'), false},
		{"ping descriptor", append(append(make([]byte, 16), 0, 1, 0, 2, 0, 0, 0), 'h', 'i'), false},
		{"dht too many hops", append(append(make([]byte, 16), 0x44, 200, 0, 2, 0, 0, 0), 'h', 'i'), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := g2UDPHeader(tt.payload) || gnutellaDHTDescriptor(tt.payload)
			if got != tt.want {
				t.Errorf("UDP header check = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzGnutella(f *testing.F) {
	fuzzDissector(f, Gnutella{}, "gnutella")
}
