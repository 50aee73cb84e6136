package dpi

import "testing"

func TestOpenVPNCases(t *testing.T) {
	checkPayloadCases(t, OpenVPN{}, "openvpn")
}

func TestOpenVPNSessionMismatch(t *testing.T) {
	reset := []byte{0x38, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0}
	ack := []byte{0x28, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0}
	f := &Flow{Protocol: 17}
	f.Packets[ClientToServer] = 1
	if v := (OpenVPN{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: reset}); v != NeedMore {
		t.Fatalf("hard reset: verdict %v, want NeedMore", v)
	}
	f.Packets[ClientToServer] = 2
	if v := (OpenVPN{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: ack}); v != NotMine {
		t.Errorf("ack with another session id: verdict %v, want NotMine", v)
	}
}

func FuzzOpenVPN(f *testing.F) {
	fuzzDissector(f, OpenVPN{}, "openvpn")
}
