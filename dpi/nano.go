package dpi

// Nano recognises the peer-to-peer protocol of the Nano (XNO)
// cryptocurrency node by the first TCP segment with payload, as nDPI 4.x
// (protocols/nano.c) does. Every message opens with "RC", the maximum,
// used and minimum protocol versions, and a message type up to 0x0f.
// nDPI accepts the versions of node releases 18 to 20.
// NOTE: newer node releases raise the maximum version past 20, and their
// flows stay unnamed until nanoMaxVersion follows them.
type Nano struct{}

const (
	nanoMinLen      = 33
	nanoMinVersion  = 18
	nanoMaxVersion  = 20
	nanoMaxMsgType  = 0x0f
	nanoMagicPrefix = "RC"
)

// Name returns nDPI's name for the protocol.
func (Nano) Name() string { return "Nano" }

// Ports returns the Nano node's peering port.
func (Nano) Ports() (tcp, udp []uint16) { return []uint16{7075}, nil }

// Inspect checks the flow's first segment with payload.
func (Nano) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolTCP || f.Packets[0]+f.Packets[1] != 1 || len(b) < nanoMinLen || !hasPrefix(b, nanoMagicPrefix) {
		return NotMine
	}
	maxVersion, usedVersion, minVersion := b[2], b[3], b[4]
	if maxVersion != nanoMaxVersion || usedVersion < nanoMinVersion || usedVersion > nanoMaxVersion ||
		minVersion < nanoMinVersion || minVersion >= nanoMaxVersion || b[5] > nanoMaxMsgType {
		return NotMine
	}
	return claim(f, "Nano", "")
}
