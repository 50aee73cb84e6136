package dpi

import "bytes"

// BGP recognises BGP-4 (RFC 4271 section 4.1) from a message header: a
// marker of sixteen 0xff bytes, a length from 19 to 4096 and a known type.
type BGP struct{}

// Name returns "BGP".
func (BGP) Name() string { return "BGP" }

// Ports returns the BGP port.
func (BGP) Ports() (tcp, udp []uint16) { return []uint16{179}, nil }

// BGP header fields (RFC 4271 section 4.1).
const (
	bgpHeaderLen  = 19
	bgpMaxLen     = 4096
	bgpTypeOpen   = 1
	bgpTypeLast   = 5 // ROUTE-REFRESH, RFC 2918
	bgpMarkerSize = 16
)

// Inspect reads the header that starts the direction's stream.
func (BGP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	msg := f.Stream(p.Dir)
	c := wireCursor{buf: msg}
	marker, _ := c.bytes(bgpMarkerSize)
	length, _ := c.u16()
	typ, ok := c.u8()
	if !ok {
		return waitOrReject(f, len(msg), bgpHeaderLen)
	}
	if bytes.Count(marker, []byte{0xff}) != bgpMarkerSize || length < bgpHeaderLen || length > bgpMaxLen ||
		typ < bgpTypeOpen || typ > bgpTypeLast {
		return NotMine
	}
	f.SetResult("BGP", "")
	return Done
}

// BFD recognises Bidirectional Forwarding Detection: control packets
// (RFC 5880 section 4.1) on UDP 3784 and 4784 (RFC 5881, RFC 5883), and
// echo packets on UDP 3785, whose content only their sender interprets.
type BFD struct{}

// Name returns "BFD".
func (BFD) Name() string { return "BFD" }

// Ports returns the BFD control, echo and multihop ports.
func (BFD) Ports() (tcp, udp []uint16) { return nil, []uint16{3784, 3785, 4784} }

// BFD constants (RFC 5880 section 4.1, RFC 5881 section 4).
const (
	bfdVersion     = 1
	bfdMinLen      = 24
	bfdMaxDiag     = 8
	bfdEchoPort    = 3785
	bfdEchoMaxLen  = 128
	bfdEchoMinLen  = 8
	bfdControlPort = 3784
	bfdMultihop    = 4784
)

// Inspect checks the datagram sent to a BFD port.
func (BFD) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	msg := p.Payload
	switch f.Server.Port() {
	case bfdEchoPort:
		// An echo packet is looped back by the neighbour unread, so only
		// its port and a plausible size identify it.
		if len(msg) < bfdEchoMinLen || len(msg) > bfdEchoMaxLen {
			return NotMine
		}
	case bfdControlPort, bfdMultihop:
		if !bfdControl(msg) {
			return NotMine
		}
	default:
		return NotMine
	}
	f.SetResult("BFD", "")
	return Done
}

// bfdControl checks the mandatory section of a control packet.
func bfdControl(msg []byte) bool {
	c := wireCursor{buf: msg}
	vers, _ := c.u8()
	c.skip(1) // state and flags
	mult, _ := c.u8()
	length, _ := c.u8()
	myDisc, ok := c.u32()
	return ok && vers>>5 == bfdVersion && vers&0x1f <= bfdMaxDiag && mult != 0 &&
		int(length) == len(msg) && length >= bfdMinLen && myDisc != 0
}

// LDP recognises the Label Distribution Protocol (RFC 5036 section 3.1)
// from a PDU header (version 1, a length that fits) and the type of its
// first message.
type LDP struct{}

// Name returns "LDP".
func (LDP) Name() string { return "LDP" }

// Ports returns the LDP port.
func (LDP) Ports() (tcp, udp []uint16) { return []uint16{646}, []uint16{646} }

// LDP header sizes (RFC 5036 section 3.1).
const (
	ldpVersion   = 1
	ldpHeaderLen = 10
	// ldpMinPDU is the PDU length of a header with one empty message: the
	// LDP identifier and a message type and length.
	ldpMinPDU = 10
	ldpMaxPDU = 4096
)

// Inspect reads the PDU that starts the datagram or stream.
func (LDP) Inspect(f *Flow, p *Packet) Verdict {
	msg := streamStart(f, p)
	c := wireCursor{buf: msg}
	version, _ := c.u16()
	length, _ := c.u16()
	c.skip(6) // LDP identifier
	typ, ok := c.u16()
	if !ok {
		return waitOrReject(f, len(msg), ldpHeaderLen+2)
	}
	if version != ldpVersion || length < ldpMinPDU || length > ldpMaxPDU || !ldpMessageType(typ&0x7fff) {
		return NotMine
	}
	if f.Protocol == ipProtocolUDP && int(length) != len(msg)-4 {
		return NotMine
	}
	f.SetResult("LDP", "")
	return Done
}

// ldpMessageType reports whether typ is an LDP message type of RFC 5036
// section 3.7 (Notification, Hello, Initialization, KeepAlive, Address,
// Address Withdraw, and the label messages).
func ldpMessageType(typ uint16) bool {
	switch typ {
	case 0x0001, 0x0100, 0x0200, 0x0201, 0x0300, 0x0301, 0x0400, 0x0401, 0x0402, 0x0403, 0x0404:
		return true
	}
	return false
}

// LISP recognises the control plane of the Locator/ID Separation Protocol
// on port 4342. Over UDP it reads Map-Request, Map-Reply, Map-Register,
// Map-Notify and Encapsulated Control messages (RFC 9301 section 5). Over
// TCP it reads the messages of LISP's reliable transport, each framed by
// a 16-bit type and a 16-bit length.
type LISP struct{}

// Name returns "LISP".
func (LISP) Name() string { return "LISP" }

// Ports returns the LISP control port.
func (LISP) Ports() (tcp, udp []uint16) { return []uint16{lispControlPort}, []uint16{lispControlPort} }

const (
	lispControlPort = 4342
	// lispTCPTypeFirst and lispTCPTypeLast bound the message types of the
	// reliable transport seen so far (17 to 20).
	lispTCPTypeFirst = 17
	lispTCPTypeLast  = 31
	lispMinLen       = 8
)

// Inspect checks a message on the LISP control port.
func (LISP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Server.Port() != lispControlPort {
		return NotMine
	}
	msg := streamStart(f, p)
	if f.Protocol == ipProtocolUDP {
		if len(msg) < lispMinLen || !lispUDPType(msg[0]>>4) {
			return NotMine
		}
		f.SetResult("LISP", "")
		return Done
	}
	c := wireCursor{buf: msg}
	typ, _ := c.u16()
	length, ok := c.u16()
	if !ok {
		return waitOrReject(f, len(msg), 4)
	}
	if typ < lispTCPTypeFirst || typ > lispTCPTypeLast || length < lispMinLen || int(length) > len(msg) {
		return NotMine
	}
	f.SetResult("LISP", "")
	return Done
}

// lispUDPType reports whether typ is a control message type of RFC 9301
// section 5.1: Map-Request, Map-Reply, Map-Register, Map-Notify or
// Encapsulated Control Message.
func lispUDPType(typ byte) bool { return typ >= 1 && typ <= 4 || typ == 8 }

// DLEP recognises the Dynamic Link Exchange Protocol (RFC 8175) on port
// 854: UDP signals start with "DLEP" (section 11.1), TCP messages with a
// message type and a length (section 11.2).
type DLEP struct{}

// Name returns "DLEP".
func (DLEP) Name() string { return "DLEP" }

// Ports returns the DLEP port.
func (DLEP) Ports() (tcp, udp []uint16) { return []uint16{dlepPort}, []uint16{dlepPort} }

const (
	dlepPort = 854
	// dlepLastType is the highest signal and message type of RFC 8175
	// section 15.2 (Heartbeat).
	dlepLastType = 16
)

var dlepSignalPrefix = []byte("DLEP")

// Inspect checks the signal or message sent to the DLEP port.
func (DLEP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Server.Port() != dlepPort {
		return NotMine
	}
	msg := streamStart(f, p)
	c := wireCursor{buf: msg}
	if f.Protocol == ipProtocolUDP {
		prefix, _ := c.bytes(len(dlepSignalPrefix))
		if !bytes.Equal(prefix, dlepSignalPrefix) {
			return NotMine
		}
	}
	typ, _ := c.u16()
	length, ok := c.u16()
	if !ok {
		return waitOrReject(f, len(msg), 4)
	}
	if typ == 0 || typ > dlepLastType || int(length) > c.remaining() ||
		(f.Protocol == ipProtocolUDP && int(length) != c.remaining()) {
		return NotMine
	}
	f.SetResult("DLEP", "")
	return Done
}
