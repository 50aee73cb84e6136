package dpi

import (
	"bytes"
	"encoding/binary"
)

// Roughtime recognises Roughtime requests and responses
// (draft-ietf-ntp-roughtime): a message is a tag count, the offsets of
// the values after the first, and the tags themselves, four ASCII bytes
// each in strictly increasing order. Messages of the IETF drafts are
// preceded by the 8-byte "ROUGHTIM" magic and a 32-bit length.
type Roughtime struct{}

// Name returns "Roughtime".
func (Roughtime) Name() string { return "Roughtime" }

// Ports returns the usual Roughtime port.
func (Roughtime) Ports() (tcp, udp []uint16) { return []uint16{2002}, []uint16{2002} }

const (
	// roughtimeMaxTags bounds the tag count; requests and responses use
	// fewer than ten.
	roughtimeMaxTags = 64
	roughtimeMagic   = "ROUGHTIM"
)

// Inspect checks the message that starts the datagram or stream.
func (Roughtime) Inspect(f *Flow, p *Packet) Verdict {
	msg := streamStart(f, p)
	if rest, ok := bytes.CutPrefix(msg, []byte(roughtimeMagic)); ok && len(rest) >= 4 {
		msg = rest[4:]
	}
	if !roughtimeMessage(msg) {
		return waitOrReject(f, len(msg), 1024)
	}
	f.SetResult("Roughtime", "")
	return Done
}

// roughtimeMessage checks the header of a Roughtime message.
func roughtimeMessage(msg []byte) bool {
	if len(msg) < 8 {
		return false
	}
	n := int(binary.LittleEndian.Uint32(msg))
	header := 4 + 8*n - 4
	if n < 2 || n > roughtimeMaxTags || len(msg) < header {
		return false
	}
	values := len(msg) - header
	previous := uint32(0)
	for i := 0; i < n-1; i++ {
		offset := binary.LittleEndian.Uint32(msg[4+4*i:])
		if offset%4 != 0 || offset < previous || int(offset) > values {
			return false
		}
		previous = offset
	}
	tags := msg[4+4*(n-1) : header]
	for i := 0; i < n; i++ {
		tag := tags[4*i : 4*i+4]
		if i > 0 && binary.LittleEndian.Uint32(tag) <= binary.LittleEndian.Uint32(tags[4*i-4:]) {
			return false
		}
		if !roughtimeTag(tag) {
			return false
		}
	}
	return true
}

// roughtimeTag reports whether tag is upper-case ASCII, padded with NUL
// or 0xff bytes as the drafts pad short tag names.
func roughtimeTag(tag []byte) bool {
	for i, c := range tag {
		switch {
		case c >= 'A' && c <= 'Z':
		case i > 0 && (c == 0 || c == 0xff):
		default:
			return false
		}
	}
	return true
}

// TINC recognises the meta connection of the tinc VPN daemon from its
// first line, the ID request "0 NAME 17" of protocol version 17 (tinc
// 1.0), optionally with a minor version ("17.7").
type TINC struct{}

// Name returns "TINC".
func (TINC) Name() string { return "TINC" }

// Ports returns the tinc port.
func (TINC) Ports() (tcp, udp []uint16) { return []uint16{655}, nil }

// Inspect reads the first line of the direction's stream.
func (TINC) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	msg := f.Stream(p.Dir)
	line, _, ok := textLine(msg)
	if !ok {
		return waitOrReject(f, len(msg), 64)
	}
	fields := bytes.Split(line, []byte{' '})
	if len(fields) != 3 || string(fields[0]) != "0" || !tincName(fields[1]) || !tincVersion(fields[2]) {
		return NotMine
	}
	f.SetResult("TINC", "")
	return Done
}

// tincName reports whether name is a tinc node name: letters, digits and
// underscores.
func tincName(name []byte) bool {
	for _, c := range name {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return len(name) > 0 && len(name) <= 64
}

func tincVersion(v []byte) bool {
	major, minor, hasMinor := bytes.Cut(v, []byte{'.'})
	return string(major) == "17" && (!hasMinor || allDigits(minor))
}

// DCERPC recognises DCE/RPC (C706 chapter 12): connectionless PDUs
// (version 4) over UDP and connection-oriented PDUs (version 5) over TCP,
// from a header whose fragment length matches. A connectionless call to a
// PROFINET IO interface (UUID DEA0000x-6C97-11D1-8271-00A02442DF7D) is
// named "DCERPC.PROFINET_IO".
type DCERPC struct{}

// Name returns "DCERPC".
func (DCERPC) Name() string { return "DCERPC" }

// Ports returns the DCE/RPC endpoint mapper port.
func (DCERPC) Ports() (tcp, udp []uint16) { return []uint16{135}, []uint16{135, 34964} }

const (
	dcerpcCLHeaderLen = 80
	dcerpcCOHeaderLen = 16
	// dcerpcLittleEndian is the integer representation bit of drep[0].
	dcerpcLittleEndian = 0x10
)

// pnioInterface is the PROFINET IO interface UUID in big-endian order,
// with zero in place of the last byte of its first field. That byte is 1
// to 4 for the device, controller, supervisor and parameter server.
var pnioInterface = [16]byte{0xde, 0xa0, 0x00, 0x00, 0x6c, 0x97, 0x11, 0xd1, 0x82, 0x71, 0x00, 0xa0, 0x24, 0x42, 0xdf, 0x7d}

// Inspect checks the PDU header that starts the datagram or stream.
func (DCERPC) Inspect(f *Flow, p *Packet) Verdict {
	msg := streamStart(f, p)
	if f.Protocol == ipProtocolUDP {
		return dcerpcConnectionless(f, msg)
	}
	if len(msg) < dcerpcCOHeaderLen {
		return waitOrReject(f, len(msg), dcerpcCOHeaderLen)
	}
	order := dcerpcOrder(msg[4])
	fragLen := int(order.Uint16(msg[8:]))
	// PDU types run from request (0) to orphaned (19).
	if msg[0] != 5 || msg[1] > 1 || msg[2] > 19 || msg[4]&^dcerpcLittleEndian != 0 ||
		fragLen < dcerpcCOHeaderLen || fragLen > len(msg) {
		return NotMine
	}
	f.SetResult("DCERPC", "")
	return Done
}

func dcerpcConnectionless(f *Flow, msg []byte) Verdict {
	if len(msg) < dcerpcCLHeaderLen {
		return NotMine
	}
	order := dcerpcOrder(msg[4])
	// PDU types run from request (0) to cancel_ack (10).
	if msg[0] != 4 || msg[1] > 10 || msg[4]&^dcerpcLittleEndian != 0 ||
		dcerpcCLHeaderLen+int(order.Uint16(msg[74:])) != len(msg) {
		return NotMine
	}
	app := ""
	if dcerpcIsPNIO(msg[24:40], order) {
		app = "PROFINET_IO"
	}
	f.SetResult("DCERPC", app)
	return Done
}

// dcerpcOrder returns the byte order that drep[0] selects.
func dcerpcOrder(drep byte) binary.ByteOrder {
	if drep&dcerpcLittleEndian != 0 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// dcerpcIsPNIO reports whether the interface UUID u, in byte order
// order, is one of PROFINET IO's.
func dcerpcIsPNIO(u []byte, order binary.ByteOrder) bool {
	var be [16]byte
	binary.BigEndian.PutUint32(be[0:], order.Uint32(u[0:]))
	binary.BigEndian.PutUint16(be[4:], order.Uint16(u[4:]))
	binary.BigEndian.PutUint16(be[6:], order.Uint16(u[6:]))
	copy(be[8:], u[8:16])
	kind := be[3]
	be[3] = 0
	return be == pnioInterface && kind >= 1 && kind <= 4
}

// Activision recognises the peer-to-peer traffic of Activision games (Call
// of Duty) on UDP 3074: a 29-byte datagram starting 0x0d 0x02 0x00, which
// the peer echoes with 0x0c in place of the first byte.
// NOTE: no specification of this protocol is public. The signature is
// taken from nDPI's test capture, where every session starts this way.
type Activision struct{}

// Name returns "Activision".
func (Activision) Name() string { return "Activision" }

// Ports returns the Activision game port.
func (Activision) Ports() (tcp, udp []uint16) { return nil, []uint16{activisionPort} }

const (
	activisionPort     = 3074
	activisionHelloLen = 29
)

// Inspect checks the first datagram of the flow.
func (Activision) Inspect(f *Flow, p *Packet) Verdict {
	msg := p.Payload
	if f.Protocol != ipProtocolUDP || !onPort(f, activisionPort) || len(msg) != activisionHelloLen ||
		(msg[0] != 0x0d && msg[0] != 0x0c) || msg[1] != 0x02 || msg[2] != 0x00 {
		return NotMine
	}
	f.SetResult("Activision", "")
	return Done
}
