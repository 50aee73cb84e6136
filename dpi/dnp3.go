package dpi

// DNP3 recognises DNP3 over TCP (IEEE 1815-2012 section 9.2.4 and
// Annex G): every link-layer frame starts with the start bytes 0x05 0x64
// and a length from 5 to 255 that counts control, destination, source and
// user data.
type DNP3 struct{}

// Name returns "DNP3".
func (DNP3) Name() string { return "DNP3" }

// Ports returns DNP3's TCP port.
func (DNP3) Ports() (tcp, udp []uint16) { return []uint16{20000}, nil }

// dnp3MinFrame is the start bytes, length, control, two addresses and
// the header CRC.
const dnp3MinFrame = 10

// Inspect checks the first frame of the direction that spoke first.
func (DNP3) Inspect(f *Flow, p *Packet) Verdict {
	b := firstPayload(f, p)
	n, ok := byteAt(b, 2)
	if f.Protocol != ipProtocolTCP || !ok || !hasPrefix(b, "\x05\x64") || n < 5 || len(b) < dnp3MinFrame {
		return NotMine
	}
	return claim(f, "DNP3", "")
}
