package dpi

// ControllerAreaNetwork recognises CAN frames tunnelled over UDP with the
// "ISO11898" header: the 8-byte ASCII magic, then a version byte (1).
// NOTE: the format follows the captures in nDPI's test set; it has no
// public specification.
type ControllerAreaNetwork struct{}

// Name returns "Controller_Area_Network".
func (ControllerAreaNetwork) Name() string { return "Controller_Area_Network" }

const canOverUDPVersion = 1

// Inspect checks the first datagram's magic.
func (ControllerAreaNetwork) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !hasPrefix(p.Payload, "ISO11898") {
		return NotMine
	}
	if v, ok := byteAt(p.Payload, 8); !ok || v != canOverUDPVersion {
		return NotMine
	}
	return claim(f, "Controller_Area_Network", "")
}
