package dpi

// Xiaomi recognises the push channel of Xiaomi's apps on TCP port 5222:
// each message starts with the magic 0xc2fe, the 16-bit version 5 and a
// 32-bit big-endian length of the body that follows a 12-byte header.
// NOTE: Xiaomi publishes no specification; the check follows captures.
type Xiaomi struct{}

// Name returns "Xiaomi".
func (Xiaomi) Name() string { return "Xiaomi" }

// Ports returns the push channel's port.
func (Xiaomi) Ports() (tcp, udp []uint16) { return []uint16{5222}, nil }

const xiaomiHeaderLen = 12

// Inspect checks the first message of the direction that spoke first.
func (Xiaomi) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	b := f.Stream(p.Dir)
	magic, ok1 := u16At(b, 0)
	version, ok2 := u16At(b, 2)
	n, ok3 := u32At(b, 4)
	if !ok1 || !ok2 || !ok3 || magic != 0xc2fe || version != 5 || uint64(n)+xiaomiHeaderLen > uint64(len(b)) {
		return NotMine
	}
	return claim(f, "Xiaomi", "")
}
