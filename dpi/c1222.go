package dpi

// ANSIC1222 recognises ANSI C12.22 (IEEE Std 1703), the protocol of
// smart electricity meters, by its first packet with payload, as nDPI 4.x
// (protocols/c1222.c) does. A C12.22 message is an ACSE APDU: the
// application tag 0x60, a one-byte length of the rest of the packet, then
// the called AP title (context tag 0xa2) whose content opens with an
// object identifier (tag 0x06).
type ANSIC1222 struct{}

// ACSE encoding of the opening bytes (IEEE Std 1703, ISO 8650).
const (
	c1222MinLen        = 50
	c1222TagACSE       = 0x60
	c1222TagCalledAP   = 0xa2
	c1222TagIdentifier = 0x06
)

// Name returns nDPI's name for the protocol.
func (ANSIC1222) Name() string { return "ANSI_C1222" }

// Ports returns the port IANA assigns to C12.22 over TCP and UDP.
func (ANSIC1222) Ports() (tcp, udp []uint16) { return []uint16{1153}, []uint16{1153} }

// Inspect checks the flow's first packet with payload.
func (ANSIC1222) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Packets[0]+f.Packets[1] != 1 || len(b) < c1222MinLen {
		return NotMine
	}
	if b[0] != c1222TagACSE || b[1] != byte(len(b)-2) || b[2] != c1222TagCalledAP || b[4] != c1222TagIdentifier {
		return NotMine
	}
	return claim(f, "ANSI_C1222", "")
}
