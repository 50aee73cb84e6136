package dpi

// UltraSurf recognises the UltraSurf censorship-circumvention proxy by
// the flow's first TCP segment with payload, which opens with the eight
// bytes 0xcc1c3041 0x5ba43866, as nDPI 4.x (protocols/ultrasurf.c) checks.
type UltraSurf struct{}

const ultraSurfMagic = "\xcc\x1c\x30\x41\x5b\xa4\x38\x66"

// Name returns nDPI's name for the application.
func (UltraSurf) Name() string { return "UltraSurf" }

// Inspect checks the flow's first segment with payload.
func (UltraSurf) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP || f.Packets[0]+f.Packets[1] != 1 || !hasPrefix(p.Payload, ultraSurfMagic) {
		return NotMine
	}
	return claim(f, "UltraSurf", "")
}
