package dpi

import "bytes"

// NetBIOS recognises the three NetBIOS-over-TCP/IP services of RFC 1002:
// the name service on UDP 137 (section 4.2), the datagram service on UDP
// 138 (section 4.4) and the session service on TCP 139 (section 4.3). Like
// nDPI it names a datagram that carries an SMB message (a browser
// announcement, for instance) "NetBIOS.SMBv1", and it puts the NetBIOS
// name of a name query or of a datagram's source in Info.
type NetBIOS struct{}

// Name returns "NetBIOS".
func (NetBIOS) Name() string { return "NetBIOS" }

// Ports returns the NetBIOS service ports.
func (NetBIOS) Ports() (tcp, udp []uint16) {
	return []uint16{nbSessionPort}, []uint16{nbNamePort, nbDatagramPort}
}

// Ports and message types of RFC 1002.
const (
	nbNamePort     = 137
	nbDatagramPort = 138
	nbSessionPort  = 139

	// nbHeaderLen is the name service header (section 4.2.1.1).
	nbHeaderLen = 12
	// nbEncodedNameLen is the length byte of a first-level encoded name
	// (section 4.1): 16 bytes of name as 32 half-byte letters.
	nbEncodedNameLen = 32

	nbOpQuery        = 0
	nbOpRegistration = 5
	nbOpRelease      = 6
	nbOpWACK         = 7
	nbOpRefresh      = 8
	nbOpRefreshAlt   = 9
	nbOpMultiHomed   = 15

	nbDirectUnique   = 0x10
	nbDirectGroup    = 0x11
	nbQueryNegative  = 0x16
	nbSessionRequest = 0x81
)

// Inspect reads the first packet sent to a NetBIOS port.
func (NetBIOS) Inspect(f *Flow, p *Packet) Verdict {
	dst := f.Server.Port()
	if p.Dir == ServerToClient {
		dst = f.Client.Port()
	}
	switch {
	case f.Protocol == ipProtocolUDP && dst == nbNamePort:
		return nbInspectName(f, p.Payload)
	case f.Protocol == ipProtocolUDP && dst == nbDatagramPort:
		return nbInspectDatagram(f, p)
	case f.Protocol == ipProtocolTCP && dst == nbSessionPort:
		return nbInspectSession(f, p.Payload)
	}
	return NotMine
}

// nbInspectName accepts a name service request or response whose header
// counts fit its opcode (RFC 1002 section 4.2). The question name goes to
// Info when it is well encoded.
func nbInspectName(f *Flow, msg []byte) Verdict {
	c := wireCursor{buf: msg}
	c.skip(2) // NAME_TRN_ID
	flags, _ := c.u16()
	qd, _ := c.u16()
	an, _ := c.u16()
	ns, _ := c.u16()
	ar, ok := c.u16()
	if !ok || !nbCountsFit(flags, qd, an, ns, ar) {
		return NotMine
	}
	// The question of a request and the answer of a response both start
	// right after the header with the name they are about.
	if qd == 1 || an == 1 {
		if name, ok := nbDecodeName(msg[nbHeaderLen:]); ok {
			f.Info = name
		}
	}
	f.SetResult("NetBIOS", "")
	return Done
}

// nbCountsFit checks the header of section 4.2.1.1: requests carry one
// question (and one additional record when they register, release or
// refresh a name), responses one answer and no question.
func nbCountsFit(flags, qd, an, ns, ar uint16) bool {
	response := flags&0x8000 != 0
	opcode := flags >> 11 & 0xf
	rcode := flags & 0xf
	if ns != 0 {
		return false
	}
	if response {
		switch opcode {
		case nbOpQuery, nbOpRegistration, nbOpRelease, nbOpWACK, nbOpRefresh, nbOpRefreshAlt:
			return qd == 0 && an == 1 && ar == 0
		}
		return false
	}
	if rcode != 0 || qd != 1 || an != 0 {
		return false
	}
	switch opcode {
	case nbOpQuery:
		return ar == 0
	case nbOpRegistration, nbOpRelease, nbOpRefresh, nbOpRefreshAlt, nbOpMultiHomed:
		return ar == 1
	}
	return false
}

// nbInspectDatagram accepts a datagram service message (RFC 1002 section
// 4.4.1) whose SOURCE_IP is the address that sent it, and reads the
// source name of the datagram types that carry one. nDPI 4.x names every
// such flow "NetBIOS.SMBv1", whether or not its user data is an SMB
// message: nearly all datagrams carry SMB mailslot messages such as
// browser announcements.
func nbInspectDatagram(f *Flow, p *Packet) Verdict {
	c := wireCursor{buf: p.Payload}
	typ, _ := c.u8()
	c.skip(1 + 2) // FLAGS, DGM_ID
	srcIP, ok := c.bytes(4)
	sender := f.Client.Addr()
	if p.Dir == ServerToClient {
		sender = f.Server.Addr()
	}
	if !ok || typ < nbDirectUnique || typ > nbQueryNegative || !sender.Is4() || sender.As4() != [4]byte(srcIP) {
		return NotMine
	}
	// SOURCE_PORT, DGM_LENGTH and PACKET_OFFSET precede the source name.
	if typ <= nbDirectGroup+1 && c.skip(6) {
		if name, ok := nbDecodeName(p.Payload[c.off:]); ok {
			f.Info = name
		}
	}
	f.SetResult("NetBIOS", "SMBv1")
	return Done
}

// nbInspectSession accepts a SESSION REQUEST (RFC 1002 section 4.3.2):
// packet type 0x81 whose length covers the called and calling names.
func nbInspectSession(f *Flow, msg []byte) Verdict {
	c := wireCursor{buf: msg}
	typ, _ := c.u8()
	hdr, ok := c.u16()
	length, ok2 := c.u8()
	if !ok || !ok2 || typ != nbSessionRequest || int(hdr)<<8|int(length) != len(msg)-4 {
		return NotMine
	}
	if _, ok := nbDecodeName(msg[c.off:]); !ok || !nbSkipName(&c) {
		return NotMine
	}
	if _, ok := nbDecodeName(msg[c.off:]); !ok {
		return NotMine
	}
	f.SetResult("NetBIOS", "")
	return Done
}

// nbDecodeName decodes the first-level encoded name at the start of b
// (RFC 1002 section 4.1, RFC 1001 section 14.1): each byte of the 16-byte
// NetBIOS name is two letters 'A' to 'P'. It returns the first 15 bytes,
// the name without its suffix byte, cut at the first NUL or badly encoded
// letter, without trailing spaces and in lower case as nDPI shows it. It
// reports false when b does not start with a 32-letter label.
func nbDecodeName(b []byte) (string, bool) {
	c := wireCursor{buf: b}
	n, _ := c.u8()
	letters, ok := c.bytes(nbEncodedNameLen)
	if !ok || n != nbEncodedNameLen {
		return "", false
	}
	var name [15]byte
	size := 0
	for i := 0; i+1 < len(letters) && size < len(name); i += 2 {
		hi, lo := letters[i]-'A', letters[i+1]-'A'
		if hi > 15 || lo > 15 || hi<<4|lo == 0 {
			break
		}
		name[size] = hi<<4 | lo
		size++
	}
	return string(bytes.ToLower(bytes.TrimRight(name[:size], " "))), true
}

// nbSkipName moves c past a name in the label format of RFC 1002 section
// 4.1: labels with a length byte, ending with a zero length.
func nbSkipName(c *wireCursor) bool {
	for labels := 0; labels < 64; labels++ {
		n, ok := c.u8()
		if !ok || n > 63 {
			return false
		}
		if n == 0 {
			return true
		}
		if !c.skip(int(n)) {
			return false
		}
	}
	return false
}
