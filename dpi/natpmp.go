package dpi

// NATPMP recognises NAT Port Mapping Protocol messages (RFC 6886): version
// 0, then an opcode whose message has a fixed length (section 3: 2 bytes
// for an external address request, 12 for its response and for mapping
// requests, 16 for mapping responses). The protocol always runs on port
// 5351, which makes the short request safe to accept.
type NATPMP struct{}

// Name returns "NAT-PMP".
func (NATPMP) Name() string { return "NAT-PMP" }

// Ports returns NAT-PMP's UDP port.
func (NATPMP) Ports() (tcp, udp []uint16) { return nil, []uint16{natpmpPort} }

const natpmpPort = 5351

// natpmpLength returns the length of a version-0 message with opcode op.
func natpmpLength(op byte) int {
	switch op {
	case 0:
		return 2
	case 1, 2, 128:
		return 12
	case 129, 130:
		return 16
	}
	return -1
}

// Inspect checks the first datagram.
func (NATPMP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !eitherPort(f, natpmpPort) {
		return NotMine
	}
	version, ok1 := byteAt(p.Payload, 0)
	op, ok2 := byteAt(p.Payload, 1)
	if !ok1 || !ok2 || version != 0 || natpmpLength(op) != len(p.Payload) {
		return NotMine
	}
	return claim(f, "NAT-PMP", "")
}
