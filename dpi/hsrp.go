package dpi

import "net/netip"

// HSRP recognises Cisco's Hot Standby Router Protocol: version 1
// (RFC 2281 section 5) on UDP port 1985, a 20-byte message of version 0,
// an op code up to 2 and a state from the RFC's list; and version 2 on
// UDP port 2029 to 224.0.0.102 or ff02::66, a sequence of
// type-length-value records that fills the datagram.
type HSRP struct{}

// Name returns "HSRP".
func (HSRP) Name() string { return "HSRP" }

// Ports returns the ports of HSRP versions 1 and 2.
func (HSRP) Ports() (tcp, udp []uint16) { return nil, []uint16{hsrpV1Port, hsrpV2Port} }

const (
	hsrpV1Port = 1985
	hsrpV2Port = 2029
	hsrpV1Len  = 20
)

var (
	hsrpV2GroupV4 = netip.MustParseAddr("224.0.0.102")
	hsrpV2GroupV6 = netip.MustParseAddr("ff02::66")
)

// Inspect checks the first datagram.
func (HSRP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	switch {
	case f.Server.Port() == hsrpV1Port && hsrpV1Message(p.Payload):
		return claim(f, "HSRP", "")
	case f.Server.Port() == hsrpV2Port && hsrpV2Group(f.Server.Addr()) && hsrpV2Message(p.Payload):
		return claim(f, "HSRP", "")
	}
	return NotMine
}

func hsrpV1Message(b []byte) bool {
	if len(b) != hsrpV1Len {
		return false
	}
	version, op, state := b[0], b[1], b[2]
	switch state {
	case 0, 1, 2, 4, 8, 16:
	default:
		return false
	}
	return version == 0 && op <= 2
}

func hsrpV2Group(a netip.Addr) bool { return a == hsrpV2GroupV4 || a == hsrpV2GroupV6 }

// hsrpV2Message reports whether b is a sequence of whole TLVs of the
// defined types (1 group state, 2 interface state, 3 text and 4 MD5
// authentication).
func hsrpV2Message(b []byte) bool {
	c := wireCursor{buf: b}
	for c.remaining() > 0 {
		typ, ok1 := c.u8()
		n, ok2 := c.u8()
		if !ok1 || !ok2 || typ < 1 || typ > 4 || !c.skip(int(n)) {
			return false
		}
	}
	return len(b) > 0
}
