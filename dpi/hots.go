package dpi

// HeroesOfTheStorm recognises the UDP game traffic of Blizzard's Heroes
// of the Storm by the flow's first datagram, as nDPI 4.x (protocols/hots.c)
// does. One endpoint uses a Blizzard game port, the datagram has 20 to 122
// bytes, and bytes 14 and 15 are 0x40 0x00. Bytes 2 and 3 are 0x03 0x00 or
// 0x34 0x00, or the first 14 bytes are all zero.
type HeroesOfTheStorm struct{}

const (
	hotsMinLen = 20
	hotsMaxLen = 122
	// hotsZeroPrefix is the length of the all-zero opening of one message
	// kind, and the offset of the 0x40 0x00 marker.
	hotsZeroPrefix = 14
)

// hotsPorts are Blizzard's game ports that nDPI checks.
var hotsPorts = [...]uint16{1119, 1120, 3724, 6113}

// Name returns nDPI's name for the game.
func (HeroesOfTheStorm) Name() string { return "Heroes_of_the_Storm" }

// Inspect checks the flow's first datagram.
func (HeroesOfTheStorm) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < hotsMinLen || len(b) > hotsMaxLen || !hotsPort(f) {
		return NotMine
	}
	if b[hotsZeroPrefix] != 0x40 || b[hotsZeroPrefix+1] != 0x00 {
		return NotMine
	}
	kind := b[2:4]
	if string(kind) != "\x03\x00" && string(kind) != "\x34\x00" && !allZero(b[:hotsZeroPrefix]) {
		return NotMine
	}
	return claim(f, "Heroes_of_the_Storm", "")
}

// hotsPort reports whether either endpoint uses one of hotsPorts.
func hotsPort(f *Flow) bool {
	for _, port := range hotsPorts {
		if eitherPort(f, port) {
			return true
		}
	}
	return false
}
