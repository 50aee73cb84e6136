package dpi

// dnsMaxQuestions is the largest question count that a query header may
// carry before it is reported as malformed. Real queries carry one.
// NOTE: 48 is nDPI's limit as remembered, not checked against its source;
// nDPI's test captures only show counts of 129 and more rejected.
const dnsMaxQuestions = 48

// Header flag masks for dnsQueryHeaderValid (RFC 1035 section 4.1.1,
// RFC 2136 section 2.2 for UPDATE).
const (
	dnsMaskStandardQuery = 0xFCF0 // all but RD, Z, AD, CD must be clear
	dnsMaskInverseQuery  = 0xFCFF
	dnsOpcodeIQuery      = 0x0800
	dnsOpcodeUpdate      = 0x2800
	dnsPointerMask       = 0xC0 // top bits of a label length: 11 is a pointer
)

// dnsCheckPacket raises malformed_packet and invalid_characters for a
// UDP packet of a DNS or LLMNR flow, the way nDPI judges every DNS packet
// it dissects. Inspect defers it, so it runs after the packet has made the
// flow DNS or not. A packet of a flow identified as DNS is always judged. The
// flow's first packet is judged even when Inspect rejected it, if its
// header passes nDPI's looser test (dnsHeaderAccepted), because nDPI then
// still takes the flow for DNS. Other packets of unidentified flows are
// not judged. mDNS is left out because its service instance names may
// carry any UTF-8 (RFC 6763 section 4.1.1).
// NOTE: DNS over TCP is not judged, because the message may span
// segments and Inspect reassembles only the first of each direction.
func dnsCheckPacket(f *Flow, p *Packet) {
	if f.Protocol != ipProtocolUDP {
		return
	}
	switch f.Master {
	case "DNS", "LLMNR":
		dnsCheckMessage(f, p.Payload)
	case "":
		family := dnsFamily(f)
		first := f.Packets[0]+f.Packets[1] <= 1
		if first && family != "MDNS" && dnsHeaderAccepted(p.Payload) {
			dnsCheckMessage(f, p.Payload)
		}
	}
}

// dnsHeaderAccepted reports a message with a full header that is a
// response or a query that dnsQueryHeaderValid accepts.
func dnsHeaderAccepted(msg []byte) bool {
	h, ok := dnsParseHeader(msg)
	return ok && (h.response || dnsQueryHeaderValid(h))
}

// dnsCheckMessage judges one DNS message. A query whose header flags or
// counts no client sends is malformed. The name after the header is then
// read label by label. A label that runs to the end of the message is
// malformed, and so is one of the reserved label types 01 and 10 (RFC 6891
// section 5). A byte outside letters, digits, "-" and "_" is an invalid
// character, and a compression pointer ends the name quietly. In a
// response, a question section that runs past the end of the message is
// malformed too, and a non-zero RCODE is an error code, whichever query the
// response answers.
func dnsCheckMessage(f *Flow, msg []byte) {
	h, ok := dnsParseHeader(msg)
	if !ok {
		return
	}
	if !h.response && !dnsQueryHeaderValid(h) {
		f.AddRisk("malformed_packet")
		return
	}
	if h.response && h.rcode != 0 {
		f.AddRisk("error_code_detected")
	}
	malformed, invalid := dnsCheckQuestionName(msg)
	if h.response && !dnsQuestionsFit(msg, h) {
		malformed = true
	}
	if malformed {
		f.AddRisk("malformed_packet")
	}
	if invalid {
		f.AddRisk("invalid_characters")
	}
}

// dnsQuestionsFit reports whether the qdCount questions of the header fit
// in the message.
func dnsQuestionsFit(msg []byte, h dnsHeader) bool {
	off := dnsHeaderLen
	for range h.qdCount {
		next, ok := dnsSkipName(msg, off)
		if !ok || len(msg)-next < 4 {
			return false
		}
		off = next + 4
	}
	return true
}

// dnsQueryHeaderValid reports a query header that a resolver client
// sends: at most dnsMaxQuestions questions, and either a standard or
// inverse query or dynamic update opcode, or empty answer and authority
// sections.
func dnsQueryHeaderValid(h dnsHeader) bool {
	if h.qdCount > dnsMaxQuestions {
		return false
	}
	switch {
	case h.flags&dnsOpcodeUpdate == dnsOpcodeUpdate:
		return true
	case h.flags&dnsMaskStandardQuery == 0:
		return true
	case h.flags&dnsMaskInverseQuery == dnsOpcodeIQuery:
		return true
	}
	return h.anCount == 0 && h.nsCount == 0
}

// dnsCheckQuestionName reads the name that follows the header (RFC 1035
// section 4.1.2) and reports whether its labels are malformed and whether
// they carry characters outside a host name's. It reads at most
// dnsMaxNameLen characters.
func dnsCheckQuestionName(msg []byte) (malformed, invalid bool) {
	off, n := dnsHeaderLen, 0
	for off < len(msg) && msg[off] != 0 && n < dnsMaxNameLen {
		length := int(msg[off])
		off++
		if length&dnsPointerMask == dnsPointerMask {
			return false, invalid
		}
		if length&dnsPointerMask != 0 || off+length >= len(msg) {
			return true, invalid
		}
		for _, c := range msg[off : off+length] {
			if !dnsHostnameByte(c) {
				invalid = true
			}
		}
		off += length
		n += length + 1
	}
	return false, invalid
}

// dnsHostnameByte reports a letter, digit, hyphen or underscore: the
// bytes of host names (RFC 952 and RFC 1123 section 2.1) plus the "_" of
// service labels (RFC 2782).
func dnsHostnameByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '-' || c == '_'
}
