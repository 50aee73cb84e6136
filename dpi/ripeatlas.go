package dpi

// RipeAtlas recognises the UDP probes of RIPE Atlas's measurement
// network, whose payload is the text "MGLNDD_" followed by the target
// address and port.
type RipeAtlas struct{}

// Name returns "RipeAtlas".
func (RipeAtlas) Name() string { return "RipeAtlas" }

// Inspect checks the first datagram's prefix.
func (RipeAtlas) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !hasPrefix(p.Payload, "MGLNDD_") {
		return NotMine
	}
	return claim(f, "RipeAtlas", "")
}
