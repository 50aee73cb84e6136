package dpi

import "bytes"

// TESOnline recognises the TCP traffic of the game The Elder Scrolls
// Online by the flow's first segment with payload, as nDPI 4.x
// (protocols/teso.c) does. The segment has at least 600 bytes and opens
// with the 32-bit big-endian length of the rest. Somewhere in it is the
// host name part "eso.live" or the bytes 0x8b789c01.
type TESOnline struct{}

const tesOnlineMinLen = 600

var (
	tesOnlineHost  = []byte("eso.live")
	tesOnlineMagic = []byte{0x8b, 0x78, 0x9c, 0x01}
)

// Name returns nDPI's name for the game.
func (TESOnline) Name() string { return "TES_Online" }

// Inspect checks the flow's first segment with payload.
func (TESOnline) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolTCP || f.Packets[0]+f.Packets[1] != 1 || len(b) < tesOnlineMinLen {
		return NotMine
	}
	if length, _ := u32At(b, 0); int64(length) != int64(len(b)-4) {
		return NotMine
	}
	if !bytes.Contains(b, tesOnlineHost) && !bytes.Contains(b, tesOnlineMagic) {
		return NotMine
	}
	return claim(f, "TES_Online", "")
}
