package dpi

import (
	"net/netip"
	"testing"
)

func TestViberCases(t *testing.T) {
	checkProtocolCases(t, Viber{})
}

func TestViberHeader(t *testing.T) {
	tests := []struct {
		name    string
		proto   uint8
		port    uint16
		payload string
		want    Verdict
	}{
		{"tcp message", ipProtocolTCP, 5242, "\x0c\x00\x00\x00\x00\x00\xfc\xff\x05\x80\x09\x00", Done},
		{"tcp length mismatch", ipProtocolTCP, 5242, "\x0d\x00\x00\x00\x00\x00\xfc\xff\x05\x80\x09\x00", NotMine},
		{"tcp without marker", ipProtocolTCP, 4244, "\x0c\x00\x0a\x00\x00\x00\x2e\xd0\xa1\xf6\xd2\x00", NotMine},
		{"udp known type", ipProtocolUDP, 7985, "\xed\xf6\x09\x00\xb3\x39\x92\x91", Done},
		{"udp unknown type", ipProtocolUDP, 7985, "\xed\xf6\x02\x00\xb3\x39\x92\x91", NotMine},
		{"udp other port", ipProtocolUDP, 8000, "\xed\xf6\x09\x00\xb3\x39\x92\x91", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: tt.proto, Server: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), tt.port)}
			if got := (Viber{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzViber(f *testing.F) {
	fuzzDissector(f, Viber{}, "viber")
}
