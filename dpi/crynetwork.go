package dpi

// CryNetwork recognises the UDP connection request of games built on
// Crytek's CryNetwork, as seen in captures: the request (70 bytes there)
// starts with 0x3c, two zero bytes, two varying bytes, eleven zero bytes
// and the bytes 01 00 00 00 07 00 00 00 03.
// NOTE: Crytek publishes no specification; the check follows captures.
type CryNetwork struct{}

// Name returns "CryNetwork".
func (CryNetwork) Name() string { return "CryNetwork" }

const cryRequestLen = 32

const cryRequestTag = "\x01\x00\x00\x00\x07\x00\x00\x00\x03"

// Inspect checks the first datagram in either direction, because the
// sender of a capture's first packet becomes the flow's client, and that
// may be the game server.
func (CryNetwork) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < cryRequestLen {
		return NotMine
	}
	if b[0] != 0x3c || b[1] != 0 || b[2] != 0 || !allZero(b[5:16]) || !hasPrefix(b[16:], cryRequestTag) {
		return NotMine
	}
	return claim(f, "CryNetwork", "")
}
