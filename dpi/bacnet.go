package dpi

// BACnet recognises BACnet/IP (ASHRAE 135 Annex J): every datagram starts
// with a BACnet Virtual Link Control header, type 0x81, a function code
// from 0x00 to 0x0c and the length of the whole datagram.
type BACnet struct{}

// Name returns "BACnet".
func (BACnet) Name() string { return "BACnet" }

// Ports returns BACnet/IP's UDP port (0xBAC0).
func (BACnet) Ports() (tcp, udp []uint16) { return nil, []uint16{47808} }

const (
	bvlcTypeBACnetIP = 0x81
	bvlcMaxFunction  = 0x0c
	bvlcHeaderLen    = 4
)

// Inspect checks the first datagram's BVLC header.
func (BACnet) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	c := wireCursor{buf: p.Payload}
	typ, ok1 := c.u8()
	fn, ok2 := c.u8()
	length, ok3 := c.u16()
	if !ok1 || !ok2 || !ok3 || typ != bvlcTypeBACnetIP || fn > bvlcMaxFunction {
		return NotMine
	}
	if int(length) != len(p.Payload) || length <= bvlcHeaderLen {
		return NotMine
	}
	return claim(f, "BACnet", "")
}
