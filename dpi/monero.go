package dpi

// Monero recognises the Levin protocol that Monero nodes speak (its
// "levin_base.h" header): every message starts with the 64-bit
// little-endian signature 0x0101010101012101, then the body length, a
// flag byte, the command and the protocol version 1.
type Monero struct{}

// Name returns "Monero".
func (Monero) Name() string { return "Monero" }

// Ports returns Monero's peer-to-peer TCP ports.
func (Monero) Ports() (tcp, udp []uint16) { return []uint16{18080, 18085}, nil }

const levinSignature = "\x01\x21\x01\x01\x01\x01\x01\x01"

// Inspect checks the first message of the direction that spoke first.
func (Monero) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP || !hasPrefix(f.Stream(p.Dir), levinSignature) {
		return NotMine
	}
	return claim(f, "Monero", "")
}
