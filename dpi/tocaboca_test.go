package dpi

import "testing"

func TestTocaBocaCases(t *testing.T) {
	checkPayloadCases(t, TocaBoca{}, "tocaboca")
}

func TestPhotonPacket(t *testing.T) {
	connect := "\xff\xff\x00\x01\x00\x00\x00\x04\x22\xb6\xe6\xba" + "\x02\xff\x01\x04\x00\x00\x00\x0c\x00\x00\x00\x01"
	tests := []struct {
		name   string
		packet string
		want   bool
	}{
		{"connect", connect, true},
		{"no commands", connect[:3] + "\x00" + connect[4:], false},
		{"command type zero", connect[:12] + "\x00" + connect[13:], false},
		{"command longer than packet", connect[:16] + "\x00\x00\x01\x00" + connect[20:], false},
		{"truncated", connect[:14], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := photonPacket([]byte(tt.packet)); got != tt.want {
				t.Errorf("photonPacket = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzTocaBoca(f *testing.F) {
	fuzzDissector(f, TocaBoca{}, "tocaboca")
}
