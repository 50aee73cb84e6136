package dpi

import (
	"net/netip"
	"testing"
)

func TestCOAPCases(t *testing.T) {
	checkProtocolCases(t, COAP{})
}

func TestCOAPMessage(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"get well-known core", "\x43\x01\x05\xca\x72\x16\x33\x2b.well-known\x04core", true},
		{"content response with payload", "\x61\x45\x00\x01\xaa\xff{}", true},
		{"empty ack", "\x60\x00\x12\x34", true},
		{"empty with token", "\x61\x00\x12\x34\xaa", false},
		{"version 2", "\x83\x01\x05\xca\x72\x16\x33", false},
		{"token too long", "\x49\x01\x05\xca", false},
		{"class 3", "\x40\x61\x05\xca", false},
		{"payload marker alone", "\x40\x01\x05\xca\xff", false},
		{"option past end", "\x40\x01\x05\xca\xb5ab", false},
		{"reserved length nibble", "\x40\x01\x05\xca\x1f", false},
		{"extended option length", "\x40\x01\x05\xca\xbd\x01" + "0123456789abcd", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := coapMessage([]byte(tt.payload)); got != tt.want {
				t.Errorf("coapMessage = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCOAPOnlyOnItsPorts(t *testing.T) {
	payload := []byte("\x43\x01\x05\xca\x72\x16\x33\x2b.well-known\x04core")
	for port, want := range map[uint16]Verdict{5683: Done, 5684: Done, 5000: NotMine} {
		f := &Flow{Protocol: ipProtocolUDP, Server: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), port)}
		if got := (COAP{}).Inspect(f, &Packet{Payload: payload}); got != want {
			t.Errorf("port %d: verdict %v, want %v", port, got, want)
		}
	}
}

func FuzzCOAP(f *testing.F) {
	fuzzDissector(f, COAP{}, "coap")
}
