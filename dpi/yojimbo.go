package dpi

// Yojimbo recognises netcode.io, the UDP transport of the Yojimbo game
// networking library, by the flow's first datagram, as nDPI 4.x
// (protocols/yojimbo.c) does. A connection request opens with the packet
// type 0 and the version string "NETCODE 1.02".
type Yojimbo struct{}

// yojimboRequestPrefix is the packet type and the start of the version.
const yojimboRequestPrefix = "\x00NETCODE "

// Name returns nDPI's name for the protocol.
func (Yojimbo) Name() string { return "Yojimbo" }

// Inspect checks the flow's first datagram.
func (Yojimbo) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !hasPrefix(p.Payload, yojimboRequestPrefix) {
		return NotMine
	}
	return claim(f, "Yojimbo", "")
}
