package dpi

import "encoding/binary"

// kerberosPort is the Kerberos KDC port on TCP and UDP (RFC 4120
// section 7.2).
const kerberosPort = 88

// Kerberos message framing (RFC 4120 section 5 and 7.2.2): every message
// is a DER-encoded [APPLICATION n] value holding a SEQUENCE whose first
// field is pvno, 5. Over TCP each message is preceded by its length in
// four bytes, whose top bit is reserved.
const (
	kerberosTCPLengthLen = 4
	kerberosVersion      = 5
)

// Kerberos recognises Kerberos version 5 messages exchanged with a KDC
// or between a client and a service.
type Kerberos struct{}

// Name returns nDPI's name for the protocol.
func (Kerberos) Name() string { return "Kerberos" }

// Ports returns the KDC port.
func (Kerberos) Ports() (tcp, udp []uint16) {
	return []uint16{kerberosPort}, []uint16{kerberosPort}
}

// Inspect claims the flow when its first payload is a Kerberos message.
func (Kerberos) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	exact := true
	if f.Protocol == 6 {
		if len(b) < kerberosTCPLengthLen {
			return NotMine
		}
		n := binary.BigEndian.Uint32(b)
		if n&0x80000000 != 0 || n < 2 {
			return NotMine
		}
		b = b[kerberosTCPLengthLen:]
		// The message may continue in later segments.
		exact = int(n) == len(b)
		if int(n) < len(b) {
			return NotMine
		}
	}
	if !kerberosMessage(b, exact) {
		return NotMine
	}
	f.SetResult("Kerberos", "")
	return Done
}

// kerberosMessage checks the outer tag of a message (RFC 4120 section
// 5.10: AS-REQ 10 to KRB-ERROR 30), its length, and the pvno field that
// starts the inner SEQUENCE. When exact is false, b may be the start of
// a longer message.
func kerberosMessage(b []byte, exact bool) bool {
	if len(b) < 2 || !kerberosApplicationTag(b[0]) {
		return false
	}
	n, hdr, ok := berLength(b[1:])
	if !ok {
		return false
	}
	body := b[1+hdr:]
	if exact && n != len(body) || n < len(body) {
		return false
	}
	if len(body) < 2 || body[0] != berSequence {
		return false
	}
	_, hdr, ok = berLength(body[1:])
	if !ok {
		return false
	}
	seq := body[1+hdr:]
	// pvno is [0] in replies and errors, [1] in KDC requests:
	// context tag, length 3, INTEGER of length 1, value 5.
	if len(seq) < 5 || (seq[0] != 0xa0 && seq[0] != 0xa1) {
		return false
	}
	return seq[1] == 3 && seq[2] == 0x02 && seq[3] == 1 && seq[4] == kerberosVersion
}

// kerberosApplicationTag reports whether t is the constructed
// [APPLICATION n] tag of a message type of RFC 4120 section 5.10.
func kerberosApplicationTag(t byte) bool {
	switch t & 0x1f {
	case 10, 11, 12, 13, 14, 15, 20, 21, 22, 30:
		return t&0xe0 == 0x60
	}
	return false
}
