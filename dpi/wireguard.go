package dpi

// WireGuard recognises WireGuard's messages (the WireGuard paper, section
// 5.4): a type byte, three reserved zero bytes, and a length fixed by the
// type: 148 bytes for a handshake initiation (1), 92 for a response (2),
// 64 for a cookie reply (3), and at least 32 for transport data (4).
type WireGuard struct{}

// Name returns "WireGuard".
func (WireGuard) Name() string { return "WireGuard" }

// Ports returns WireGuard's usual UDP port.
func (WireGuard) Ports() (tcp, udp []uint16) { return nil, []uint16{51820} }

const wgMinTransport = 32

// Inspect checks the first datagram's type and length.
func (WireGuard) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < wgMinTransport || b[1] != 0 || b[2] != 0 || b[3] != 0 {
		return NotMine
	}
	switch {
	case b[0] == 1 && len(b) == 148, b[0] == 2 && len(b) == 92, b[0] == 3 && len(b) == 64:
		return claim(f, "WireGuard", "")
	}
	// TODO: a flow seen from its transport data only stays unnamed: a
	// 4 and three zeros are too common to trust alone.
	return NotMine
}
