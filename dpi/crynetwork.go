package dpi

// CryNetwork recognises the UDP connection request of games built on
// Crytek's CryNetwork (such as Warface and Hunt: Showdown), as seen in
// captures: the 70-byte request starts with 0x3c, two zero bytes, two
// varying bytes, eleven zero bytes and the bytes 01 00 00 00 07 00 00 00 03.
// NOTE: Crytek publishes no specification; the check follows captures.
type CryNetwork struct{}

// Name returns "CryNetwork".
func (CryNetwork) Name() string { return "CryNetwork" }

const cryRequestLen = 32

const cryRequestTag = "\x01\x00\x00\x00\x07\x00\x00\x00\x03"

// Inspect checks the first datagram. The request may come from either
// side as far as the flow table knows: a capture may start with the
// server's retransmitted answer.
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
