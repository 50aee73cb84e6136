package dpi

// LoLWildRift recognises the UDP traffic of the game League of Legends:
// Wild Rift as nDPI 4.x (protocols/lol_wild_rift.c) does. Its probe is a
// 22-byte datagram that opens with 0x0102c841 and ends with "A0B1". A game
// session opens with a 69-byte datagram that starts with 0x04000000, and
// the next datagram has 359 bytes and starts with 0x10000000.
type LoLWildRift struct{}

const (
	lolWildRiftProbeLen   = 22
	lolWildRiftProbeHead  = 0x0102c841
	lolWildRiftProbeTail  = "A0B1"
	lolWildRiftHelloLen   = 69
	lolWildRiftHelloHead  = 0x04000000
	lolWildRiftAnswerLen  = 359
	lolWildRiftAnswerHead = 0x10000000
)

// Name returns nDPI's name for the game.
func (LoLWildRift) Name() string { return "LoLWildRift" }

// Inspect checks each datagram until one fits neither pattern. A flow
// gets past its first datagram only when that was the 69-byte one, so the
// second datagram is checked against the 359-byte pattern.
func (LoLWildRift) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	b := p.Payload
	head, _ := u32At(b, 0)
	first := f.Packets[0]+f.Packets[1] == 1
	switch {
	case len(b) == lolWildRiftProbeLen && head == lolWildRiftProbeHead && string(b[len(b)-4:]) == lolWildRiftProbeTail:
		return claim(f, "LoLWildRift", "")
	case first && len(b) == lolWildRiftHelloLen && head == lolWildRiftHelloHead:
		return NeedMore
	case !first && len(b) == lolWildRiftAnswerLen && head == lolWildRiftAnswerHead:
		return claim(f, "LoLWildRift", "")
	}
	return NotMine
}
