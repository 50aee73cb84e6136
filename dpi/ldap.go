package dpi

// LDAP messages (RFC 4511 section 4.1.1) are BER-encoded: a SEQUENCE that
// holds the message ID (an INTEGER from 0 to 2^31-1, so 1 to 4 bytes) and
// the protocol operation, tagged [APPLICATION n].
const (
	ldapMaxMessageIDLen = 4
	ldapPort            = 389
	// ldapApplication is the class bits of an [APPLICATION n] tag, and
	// ldapConstructed the bit of a constructed encoding.
	ldapApplication = 0x40
	ldapConstructed = 0x20
	// ldapMaxOperation is the highest operation number, IntermediateResponse.
	ldapMaxOperation = 25
)

// ldapPrimitiveOps are the operations encoded as primitives:
// UnbindRequest (2), DelRequest (10) and AbandonRequest (16). The others
// are constructed.
var ldapPrimitiveOps = [...]byte{2, 10, 16}

// LDAP recognises the Lightweight Directory Access Protocol over TCP.
type LDAP struct{}

// Name returns nDPI's name for the protocol.
func (LDAP) Name() string { return "LDAP" }

// Ports returns LDAP's port.
func (LDAP) Ports() (tcp, udp []uint16) { return []uint16{ldapPort}, []uint16{ldapPort} }

// Inspect claims a flow whose first payload starts with an LDAP message.
func (LDAP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP && f.Protocol != ipProtocolUDP {
		return NotMine
	}
	if !ldapMessage(p.Payload) {
		return NotMine
	}
	f.SetResult("LDAP", "")
	return Done
}

// ldapMessage checks the SEQUENCE header, whose length must fit in what
// arrived or run past it, the message ID and the operation's tag.
func ldapMessage(b []byte) bool {
	if len(b) < 7 || b[0] != berSequence {
		return false
	}
	seqLen, size, ok := berLength(b[1:])
	if !ok || seqLen < 5 {
		return false
	}
	rest := b[1+size:]
	if len(rest) < 3 || rest[0] != berInteger || rest[1] == 0 || rest[1] > ldapMaxMessageIDLen {
		return false
	}
	idLen := int(rest[1])
	if len(rest) < 2+idLen+2 {
		return false
	}
	return ldapOperationTag(rest[2+idLen])
}

// ldapOperationTag reports whether tag is an [APPLICATION n] tag of an
// LDAP operation, with the encoding (primitive or constructed) it uses.
func ldapOperationTag(tag byte) bool {
	if tag&0xc0 != ldapApplication {
		return false
	}
	op := tag & 0x1f
	if op > ldapMaxOperation {
		return false
	}
	primitive := false
	for _, p := range ldapPrimitiveOps {
		primitive = primitive || op == p
	}
	return (tag&ldapConstructed == 0) == primitive
}
