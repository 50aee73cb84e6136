package dpi

// MsSQLTDS recognises Microsoft SQL Server's Tabular Data Stream
// ([MS-TDS] section 2.2.3.1): every message travels in packets with an
// 8-byte header of type, status, length (header included), server process
// id, packet number and an unused window byte that is 0. The client's
// first packet is packet 1; that rules out TPKT (RFC 1006), whose version
// 3 and reserved 0 look like an RPC packet's type and status.
type MsSQLTDS struct{}

// Name returns "MsSQL-TDS".
func (MsSQLTDS) Name() string { return "MsSQL-TDS" }

// Ports returns SQL Server's TCP ports.
func (MsSQLTDS) Ports() (tcp, udp []uint16) { return []uint16{1433, 1434}, nil }

const tdsHeaderLen = 8

// tdsPacketTypes are the client packet types of [MS-TDS] 2.2.3.1.1: SQL
// batch, pre-TDS7 login, RPC, attention, bulk load, federated
// authentication token, transaction manager request, TDS7 login, SSPI and
// pre-login.
var tdsPacketTypes = [256]bool{0x01: true, 0x02: true, 0x03: true, 0x06: true, 0x07: true,
	0x08: true, 0x0e: true, 0x10: true, 0x11: true, 0x12: true}

// Inspect checks the header of the client's first packet.
func (MsSQLTDS) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if p.Dir != ClientToServer {
		return NeedMore
	}
	b := f.Stream(ClientToServer)
	c := wireCursor{buf: b}
	typ, _ := c.u8()
	status, _ := c.u8()
	length, _ := c.u16()
	c.skip(2) // server process id
	packetID, _ := c.u8()
	window, ok := c.u8()
	if !ok || !tdsPacketTypes[typ] || status > 0x1f || packetID != 1 || window != 0 {
		return NotMine
	}
	if length < tdsHeaderLen || int(length) > len(b) {
		return NotMine
	}
	if int(length) < len(b) && !tdsNextHeader(b[length:]) {
		return NotMine
	}
	return claim(f, "MsSQL-TDS", "")
}

// tdsNextHeader reports whether b starts with another plausible packet
// header, as when a client sends several packets in one segment.
func tdsNextHeader(b []byte) bool {
	typ, ok := byteAt(b, 0)
	return ok && tdsPacketTypes[typ]
}
