package dpi

// BJNP recognises Canon's BJNP printer and scanner discovery: a 16-byte
// header that starts with the magic "BJNP" (printers), "BJNS" (scanners)
// or "MFNP" (multi-function devices) and ends with the length of the data
// that follows.
type BJNP struct{}

// Name returns "BJNP".
func (BJNP) Name() string { return "BJNP" }

// Ports returns BJNP's UDP port.
func (BJNP) Ports() (tcp, udp []uint16) { return nil, []uint16{8612} }

const bjnpHeaderLen = 16

// Inspect checks the first datagram's header.
func (BJNP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	b := p.Payload
	if !hasPrefix(b, "BJNP") && !hasPrefix(b, "BJNS") && !hasPrefix(b, "MFNP") {
		return NotMine
	}
	n, ok := u32At(b, 12)
	if !ok || uint64(n)+bjnpHeaderLen != uint64(len(b)) {
		return NotMine
	}
	return claim(f, "BJNP", "")
}
