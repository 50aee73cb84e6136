package dpi

import (
	"net/netip"
	"strings"
	"testing"
)

func TestZoomCases(t *testing.T) {
	checkPayloadCases(t, Zoom{}, "zoom")
}

func TestZoomServerHandshake(t *testing.T) {
	session := "\x00\x03\xc8\x4a\xc4\x52\x87\x18\xcd\xa2\xb8\x47\x7a\x1b\x89\x9f\x33\x83"
	other := strings.Repeat("\x11", len(session))
	tail := strings.Repeat("\x00", 8)
	tests := []struct {
		name   string
		port   uint16
		hello  string
		answer string
		want   Verdict
	}{
		{"answer repeats session", 8801, "\x01" + session + tail, "\x02" + session + tail, Done},
		{"answer with other session", 8801, "\x01" + session + tail, "\x02" + other + tail, NotMine},
		{"answer of another type", 8805, "\x01" + session + tail, "\x03" + session + tail, NotMine},
		{"outside the media ports", 9000, "\x01" + session + tail, "\x02" + session + tail, NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP, Server: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), tt.port)}
			v := (Zoom{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: []byte(tt.hello)})
			if v == NeedMore {
				v = (Zoom{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: []byte(tt.answer)})
			}
			if v != tt.want {
				t.Errorf("verdict %v, want %v", v, tt.want)
			}
		})
	}
}

func TestZoomPeerHeader(t *testing.T) {
	tail := strings.Repeat("\x00", 20)
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"caller", "\x1f\x02\x01\x00\x08\x00\x01\x00\x04\x00" + tail, Done},
		{"callee", "\x1f\x02\x01\x00\x04\x00\x01\x00\x08\x00" + tail, Done},
		{"other header", "\x1f\x02\x01\x00\x05\x00\x01\x00\x04\x00" + tail, NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP, Server: netip.MustParseAddrPort("10.0.0.2:41036")}
			if got := (Zoom{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzZoom(f *testing.F) {
	fuzzDissector(f, Zoom{}, "zoom")
}
