package dpi

import (
	"net/netip"
	"testing"

	"github.com/flowlens/flowlens/decode"
)

// TestExcludedDissectorStateDropped offers a TCP flow to port 443 bytes
// that no dissector claims, and checks that no dissector that rejected the
// flow still keeps state in it.
func TestExcludedDissectorStateDropped(t *testing.T) {
	e := NewEngine(DefaultConfig())
	client := netip.MustParseAddrPort("192.0.2.1:50000")
	server := netip.MustParseAddrPort("192.0.2.2:443")
	f := e.NewFlow(decode.ProtoTCP, client, server)
	payload := []byte("\x17\x03\x03\x00\x05hello, not a handshake")
	e.Inspect(f, ClientToServer, &decode.Packet{Protocol: decode.ProtoTCP, TCPFlags: decode.TCPFlagSYN, Seq: 1}, 1)
	e.Inspect(f, ClientToServer, &decode.Packet{Protocol: decode.ProtoTCP, TCPFlags: decode.TCPFlagACK, Seq: 2, Payload: payload}, 2)

	if f.inspection == nil {
		t.Fatal("inspection stopped after one packet; the test needs a flow still inspected")
	}
	if !f.excluded.has(e.indexOf(t, "TLS")) {
		t.Fatal("TLS did not reject the flow; the test needs a payload it rejects")
	}
	for _, s := range f.scratch {
		for i, d := range e.dissectors {
			if f.excluded.has(i) && d.Name() == s.key {
				t.Errorf("dissector %s rejected the flow but its state is kept", s.key)
			}
		}
	}
}

// indexOf returns the registry index of the dissector called name.
func (e *Engine) indexOf(t *testing.T, name string) int {
	t.Helper()
	for i, d := range e.dissectors {
		if d.Name() == name {
			return i
		}
	}
	t.Fatalf("no dissector %s in the registry", name)
	return -1
}
