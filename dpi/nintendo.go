package dpi

// Nintendo Switch online play (the Pia library) sends UDP datagrams that
// open with a four-byte magic and a version byte. The layout is taken from
// captures of the console, as Nintendo publishes no specification: the
// magic 0x32ab9864, then 0x02 in the datagrams peers exchange during a
// session. The 0x01 datagrams of the matchmaking servers are not named.
const (
	nintendoMagic      = 0x32ab9864
	nintendoSession    = 0x02
	nintendoMinPayload = 48
)

// Nintendo recognises the peer-to-peer traffic of Nintendo Switch games.
type Nintendo struct{}

// Name returns nDPI's name for the protocol.
func (Nintendo) Name() string { return "Nintendo" }

// Inspect claims a UDP flow whose datagram carries the session header.
func (Nintendo) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < nintendoMinPayload {
		return NotMine
	}
	magic := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if magic != nintendoMagic || b[4] != nintendoSession {
		return NotMine
	}
	f.SetResult("Nintendo", "")
	return Done
}
