package dpi

// TencentGames recognises the TCP traffic of Tencent's mobile games by
// the first segment with payload, longer than 50 bytes, as nDPI 4.x
// (protocols/tencent_games.c) does. The segment opens with one of these
// headers:
//   - 0x3366000b, then the 16-bit value 0x000b;
//   - 0x4366aa00, with 0x10e68601 at offset 12;
//   - 0xaa000000, with 0x10e68601 at offset 10;
//   - two zero bytes, a 16-bit length of the rest of the segment, then
//     0x7801 (the start of a zlib stream).
type TencentGames struct{}

const (
	tencentGamesMinLen = 51
	tencentGamesMarker = 0x10e68601
)

// Name returns "TencentGames".
func (TencentGames) Name() string { return "TencentGames" }

// Inspect checks the flow's first segment with payload.
func (TencentGames) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP || f.Packets[0]+f.Packets[1] != 1 || !tencentGamesHeader(p.Payload) {
		return NotMine
	}
	return claim(f, "TencentGames", "")
}

// tencentGamesHeader reports whether b opens with one of the headers
// listed on TencentGames.
func tencentGamesHeader(b []byte) bool {
	if len(b) < tencentGamesMinLen {
		return false
	}
	head, _ := u32At(b, 0)
	switch head {
	case 0x3366000b:
		next, _ := u16At(b, 4)
		return next == 0x000b
	case 0x4366aa00:
		marker, _ := u32At(b, 12)
		return marker == tencentGamesMarker
	case 0xaa000000:
		marker, _ := u32At(b, 10)
		return marker == tencentGamesMarker
	}
	length, _ := u16At(b, 2)
	zlib, _ := u16At(b, 4)
	return head>>16 == 0 && int(length) == len(b)-4 && zlib == 0x7801
}
