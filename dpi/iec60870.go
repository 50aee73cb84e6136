package dpi

// IEC60870 recognises IEC 60870-5-104 (telecontrol over TCP). Every
// application protocol data unit starts with the start byte 0x68 and the
// length of the rest (4 to 253). The rest begins with the four-byte
// control field of an I, S or U format frame.
type IEC60870 struct{}

// Name returns "IEC60870".
func (IEC60870) Name() string { return "IEC60870" }

// Ports returns IEC 60870-5-104's TCP port.
func (IEC60870) Ports() (tcp, udp []uint16) { return []uint16{2404}, nil }

const (
	iec104Start     = 0x68
	iec104MinLength = 4
	iec104MaxLength = 253
)

// Inspect checks the first APDU of the direction that spoke first.
func (IEC60870) Inspect(f *Flow, p *Packet) Verdict {
	b := firstPayload(f, p)
	n, ok := byteAt(b, 1)
	if f.Protocol != ipProtocolTCP || !ok || b[0] != iec104Start || n < iec104MinLength || n > iec104MaxLength {
		return NotMine
	}
	if len(b) < 2+int(n) || !iec104Control(b[2:6]) {
		return NotMine
	}
	return claim(f, "IEC60870", "")
}

// iec104Control reports whether ctl is a valid control field. An I frame
// has bit 0 of the first byte clear, an S frame starts 01 00, and a U
// frame sets exactly one function bit above the low bits 11.
func iec104Control(ctl []byte) bool {
	switch ctl[0] & 3 {
	case 0, 2:
		return ctl[2]&1 == 0
	case 1:
		return ctl[0] == 1 && ctl[1] == 0 && ctl[2]&1 == 0
	}
	fn := ctl[0] >> 2
	return fn != 0 && fn&(fn-1) == 0 && ctl[1] == 0 && ctl[2] == 0 && ctl[3] == 0
}
