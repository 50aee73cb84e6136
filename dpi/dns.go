package dpi

import (
	"net/netip"
	"strconv"

	"github.com/flowlens/flowlens/record"
)

// DNS dissects DNS messages (RFC 1035 section 4) over UDP, and over TCP
// with the two-byte length prefix of RFC 1035 section 4.2.2. It also reads
// the two protocols that reuse the message format: multicast DNS (RFC
// 6762, UDP port 5353) and LLMNR (RFC 4795, UDP port 5355). It names the
// flow "MDNS" or "LLMNR" by those ports, as nDPI does, and "DNS" otherwise.
//
// A flow that reuses its port carries several queries and responses, and
// the record describes the last message read, as nDPI's does. The
// dissector reads until a response contains any record (answer, authority
// or additional), or until dnsMaxMessages packets. A flow whose first
// message is a response is read no further. Each message replaces
// the question, and each response the rcode and answers, that an earlier
// one left, so the question and the rcode belong to one exchange.
type DNS struct{}

// Name returns the name of the protocol family's main member.
func (DNS) Name() string { return "DNS" }

// Ports of the DNS family. A flow must use one of them on either side:
// the header alone is too weak a signature to tell DNS from other UDP
// traffic.
const (
	dnsPort   = 53
	mdnsPort  = 5353
	llmnrPort = 5355
)

// Limits of the message format (RFC 1035 sections 2.3.4 and 4.1.4).
const (
	dnsHeaderLen    = 12
	dnsMaxNameLen   = 255 // octets of a name in wire form
	dnsMaxPointers  = 32  // compression pointers followed for one name
	dnsMinQuestion  = 5   // root name, QTYPE, QCLASS
	dnsMaxAnswers   = 16  // answer records kept in the record
	dnsFlagResponse = 0x8000
	dnsTypeA        = 1
	dnsTypeCNAME    = 5
	dnsTypePTR      = 12
	dnsTypeAAAA     = 28
	dnsScratchKey   = "DNS"
	// dnsMaxRejected is how many packets of a flow on a DNS port may fail
	// to parse before the flow is ruled out.
	dnsMaxRejected   = 3
	dnsTCPLengthSize = 2
	// dnsMaxMessages is how many packets of a flow the dissector reads
	// while no response with records has come: the first and five more,
	// as nDPI reads them.
	dnsMaxMessages = 6
)

// dnsState is a flow's progress: whether a response ended the reading,
// how many messages were read, and which directions' first messages were
// read already.
type dnsState struct {
	answered bool
	messages int
	seen     [2]bool
}

// dnsHeader is the fixed header of RFC 1035 section 4.1.1.
type dnsHeader struct {
	id               uint16
	flags            uint16
	qdCount, anCount uint16
	nsCount, arCount uint16
	response         bool
	opcode, rcode    uint8
}

// Inspect reads the first message of each direction and, over UDP,
// further messages until a response with records or dnsMaxMessages
// packets.
func (d DNS) Inspect(f *Flow, p *Packet) Verdict {
	family := dnsFamily(f)
	if family == "" {
		return NotMine
	}
	st := Scratch[dnsState](f, dnsScratchKey)
	defer dnsCheckPacket(f, p)
	// Over TCP only the first message of each direction is read, because
	// dnsMessage returns the start of the stream.
	if st.answered || (st.seen[p.Dir] && f.Protocol == ipProtocolTCP) {
		return dnsProgress(f, st)
	}
	msg, complete := dnsMessage(f, p)
	if !complete {
		if f.Master == "" && !dnsPartialPlausible(msg) {
			return dnsReject(f, st)
		}
		return NeedMore
	}
	h, ok := dnsParseHeader(msg)
	// Once the flow is DNS, a question of an unknown class still names it.
	if !ok || !dnsPlausible(msg, h, f.Master == "") {
		return dnsReject(f, st)
	}
	if f.Master == "" {
		f.SetResult(family, "")
		f.DNS = &record.DNS{}
	}
	st.seen[p.Dir] = true
	st.messages++
	dnsRecord(f, st, msg, h)
	dnsRisks(f, msg, h)
	return dnsProgress(f, st)
}

// dnsReject returns the verdict for a message that is not DNS. On a DNS port a damaged
// first message does not rule the flow out, so a few more packets are
// looked at before giving up.
func dnsReject(f *Flow, st *dnsState) Verdict {
	switch {
	case f.Master != "":
		return dnsProgress(f, st)
	case f.Packets[0]+f.Packets[1] < dnsMaxRejected:
		return NeedMore
	}
	return NotMine
}

func dnsProgress(f *Flow, st *dnsState) Verdict {
	if st.answered || f.Packets[0]+f.Packets[1] >= dnsMaxMessages {
		return Done
	}
	return Claimed
}

// dnsFamily names the protocol by the flow's ports, or returns "" for a
// flow that uses none of them.
func dnsFamily(f *Flow) string {
	c, s := f.Client.Port(), f.Server.Port()
	switch {
	case c == mdnsPort || s == mdnsPort:
		if f.Protocol == ipProtocolUDP {
			return "MDNS"
		}
	case c == llmnrPort || s == llmnrPort:
		if f.Protocol == ipProtocolUDP {
			return "LLMNR"
		}
	case c == dnsPort || s == dnsPort:
		if f.Protocol == ipProtocolUDP || f.Protocol == ipProtocolTCP {
			return "DNS"
		}
	}
	return ""
}

// dnsMessage returns the packet's DNS message. Over TCP it is the first
// length-prefixed message of the direction's stream, and complete is false
// until all of it arrived.
func dnsMessage(f *Flow, p *Packet) (msg []byte, complete bool) {
	if f.Protocol != ipProtocolTCP {
		return p.Payload, len(p.Payload) > 0
	}
	c := wireCursor{buf: f.Stream(p.Dir)}
	n, ok := c.u16()
	if !ok {
		return c.buf, false
	}
	if int(n) < dnsHeaderLen {
		return nil, false
	}
	body, ok := c.bytes(int(n))
	if !ok {
		return c.buf, false
	}
	return body, true
}

// dnsPartialPlausible checks the header of a TCP message that has not
// fully arrived, so that other traffic on port 53 is not kept waiting for
// a length that was never a length.
func dnsPartialPlausible(partial []byte) bool {
	if len(partial) < dnsTCPLengthSize+dnsHeaderLen {
		return len(partial) > 0
	}
	h, _ := dnsParseHeader(partial[dnsTCPLengthSize:])
	switch h.opcode {
	case 0, 1, 2, 4, 5, 6:
		return h.response || h.qdCount > 0
	}
	return false
}

func dnsParseHeader(msg []byte) (dnsHeader, bool) {
	var h dnsHeader
	c := wireCursor{buf: msg}
	var ok [6]bool
	h.id, ok[0] = c.u16()
	h.flags, ok[1] = c.u16()
	h.qdCount, ok[2] = c.u16()
	h.anCount, ok[3] = c.u16()
	h.nsCount, ok[4] = c.u16()
	h.arCount, ok[5] = c.u16()
	if ok != [6]bool{true, true, true, true, true, true} {
		return h, false
	}
	h.response = h.flags&dnsFlagResponse != 0
	h.opcode = uint8(h.flags>>11) & 0xf
	h.rcode = uint8(h.flags & 0xf)
	return h, true
}

// dnsPlausible rejects messages whose header or first entry could not be
// DNS: an unassigned opcode, more questions than the message can hold, a
// query without a question, or a first question or record that does not
// parse. Wrong counts of the other sections are tolerated, because the
// answer section is read only up to the first record that does not parse.
// With checkClass, the first question's class must be a known one too,
// unless the message is a lone question that fills it exactly.
func dnsPlausible(msg []byte, h dnsHeader, checkClass bool) bool {
	switch h.opcode {
	case 0, 1, 2, 4, 5, 6: // QUERY, IQUERY, STATUS, NOTIFY, UPDATE, DSO
	default:
		return false
	}
	if int(h.qdCount)*dnsMinQuestion > len(msg)-dnsHeaderLen {
		return false
	}
	if h.qdCount == 0 {
		if !h.response || h.anCount == 0 {
			return false
		}
		_, ok := dnsSkipRecord(msg, dnsHeaderLen)
		return ok
	}
	var name [dnsMaxNameLen]byte
	_, next, ok := dnsReadName(msg, dnsHeaderLen, name[:])
	c := wireCursor{buf: msg, off: next}
	_, okType := c.u16()
	class, okClass := c.u16()
	lone := h.qdCount == 1 && h.anCount == 0 && h.nsCount == 0 && h.arCount == 0 && c.off == len(msg)
	return ok && okType && okClass && (!checkClass || dnsKnownClass(class) || lone)
}

// dnsKnownClass accepts IN, CH, HS, NONE and ANY. The top bit is ignored
// because mDNS sets it to ask for a unicast response (RFC 6762 section 5.4).
func dnsKnownClass(class uint16) bool {
	switch class & 0x7fff {
	case 1, 3, 4, 254, 255:
		return true
	}
	return false
}

// dnsRecord fills the flow from one message: its first question, and for
// a response its rcode and answers. A response with any record ends the
// reading, and so does a response that is the flow's first message.
func dnsRecord(f *Flow, st *dnsState, msg []byte, h dnsHeader) {
	off := dnsHeaderLen
	if h.qdCount > 0 {
		var name [dnsMaxNameLen]byte
		n, next, ok := dnsReadName(msg, off, name[:])
		c := wireCursor{buf: msg, off: next}
		qtype, _ := c.u16()
		if ok || f.DNS.Query == "" {
			dnsSetQuery(f, string(name[:n]), qtype)
		}
	} else if f.Info == "" {
		// An mDNS announcement has no question: its first record names it.
		var name [dnsMaxNameLen]byte
		n, _, _ := dnsReadName(msg, off, name[:])
		f.Info = string(name[:n])
		f.Host = f.Info
	}
	if !h.response {
		return
	}
	st.answered = h.anCount > 0 || h.nsCount > 0 || h.arCount > 0 || st.messages == 1
	f.DNS.RCode = dnsRCodeName(h.rcode)
	f.DNS.Answers = dnsAnswers(msg, h)
}

func dnsSetQuery(f *Flow, name string, qtype uint16) {
	f.DNS.Query = name
	f.DNS.QType = dnsTypeName(qtype)
	if name != "" {
		f.Host, f.Info = name, name
	}
}

// dnsAnswers returns the A and AAAA addresses of the answer section in
// wire order, followed by its CNAME and PTR names. Addresses come first
// because a reader of a flow list wants the address the name resolved to.
func dnsAnswers(msg []byte, h dnsHeader) []string {
	off := dnsHeaderLen
	for range h.qdCount {
		next, ok := dnsSkipName(msg, off)
		if !ok || len(msg)-next < 4 {
			return nil
		}
		off = next + 4
	}
	var addrs, names []string
	for range h.anCount {
		rr, next, ok := dnsReadRecord(msg, off)
		if !ok || len(addrs)+len(names) >= dnsMaxAnswers {
			break
		}
		off = next
		switch {
		case rr.class&0x7fff != 1:
		case rr.rtype == dnsTypeA && len(rr.data) == 4:
			addrs = append(addrs, netip.AddrFrom4([4]byte(rr.data)).String())
		case rr.rtype == dnsTypeAAAA && len(rr.data) == 16:
			addrs = append(addrs, netip.AddrFrom16([16]byte(rr.data)).String())
		case rr.rtype == dnsTypeCNAME || rr.rtype == dnsTypePTR:
			var name [dnsMaxNameLen]byte
			if n, _, ok := dnsReadName(msg, rr.dataOff, name[:]); ok {
				names = append(names, string(name[:n]))
			}
		}
	}
	return append(addrs, names...)
}

// dnsRR is a resource record (RFC 1035 section 4.1.3). Its data aliases
// the message, and dataOff is the data's offset there, for names
// compressed in RDATA.
type dnsRR struct {
	rtype, class uint16
	ttl          uint32
	data         []byte
	dataOff      int
}

func dnsReadRecord(msg []byte, off int) (dnsRR, int, bool) {
	var rr dnsRR
	next, ok := dnsSkipName(msg, off)
	if !ok {
		return rr, 0, false
	}
	c := wireCursor{buf: msg, off: next}
	rtype, ok1 := c.u16()
	class, ok2 := c.u16()
	ttl, ok3 := c.u32()
	length, ok4 := c.u16()
	rr.dataOff = c.off
	data, ok5 := c.bytes(int(length))
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return rr, 0, false
	}
	rr.rtype, rr.class, rr.ttl, rr.data = rtype, class, ttl, data
	return rr, c.off, true
}

func dnsSkipRecord(msg []byte, off int) (int, bool) {
	_, next, ok := dnsReadRecord(msg, off)
	return next, ok
}

func dnsSkipName(msg []byte, off int) (int, bool) {
	var name [dnsMaxNameLen]byte
	_, next, ok := dnsReadName(msg, off, name[:])
	return next, ok
}

// dnsReadName decodes the domain name at off (RFC 1035 sections 3.1 and
// 4.1.4) into out as dot-separated labels, and returns its text length and
// the offset just after the name where it starts. A compression pointer
// must point before the label run that holds it, so every jump moves
// backwards and a crafted message cannot make the walk loop.
func dnsReadName(msg []byte, off int, out []byte) (n, next int, ok bool) {
	next, jumps, wire := -1, 0, 0
	runStart := off
	for {
		if off < 0 || off >= len(msg) {
			return 0, 0, false
		}
		length := int(msg[off])
		switch length & 0xc0 {
		case 0x00:
		case 0xc0:
			if off+1 >= len(msg) || jumps == dnsMaxPointers {
				return 0, 0, false
			}
			target := (length&0x3f)<<8 | int(msg[off+1])
			if target >= runStart {
				return 0, 0, false
			}
			if next < 0 {
				next = off + 2
			}
			off, runStart, jumps = target, target, jumps+1
			continue
		default: // 0x40 and 0x80 are reserved label types
			return 0, 0, false
		}
		if length == 0 {
			if next < 0 {
				next = off + 1
			}
			return n, next, true
		}
		wire += length + 1
		if wire+1 > dnsMaxNameLen || off+1+length > len(msg) {
			return 0, 0, false
		}
		if n > 0 {
			out[n] = '.'
			n++
		}
		n += copy(out[n:], msg[off+1:off+1+length])
		off += 1 + length
	}
}

// dnsTypeName returns the IANA mnemonic of an RR type, or TYPEnnn for a
// type without one (RFC 3597 section 5).
func dnsTypeName(t uint16) string {
	if name, ok := dnsTypeNames[t]; ok {
		return name
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// dnsRCodeName returns the IANA mnemonic of a header rcode, or RCODEnn for
// an unassigned one.
func dnsRCodeName(rcode uint8) string {
	if int(rcode) < len(dnsRCodeNames) && dnsRCodeNames[rcode] != "" {
		return dnsRCodeNames[rcode]
	}
	return "RCODE" + strconv.Itoa(int(rcode))
}

// dnsRCodeNames are the IANA "DNS RCODEs" that fit the header's four bits.
var dnsRCodeNames = [...]string{
	0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
	5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH",
	10: "NOTZONE", 11: "DSOTYPENI",
}

// dnsTypeNames are the IANA "Resource Record (RR) TYPEs" mnemonics. Type
// 255 is registered as "*", but it is written ANY, as dig and nDPI write it.
var dnsTypeNames = map[uint16]string{
	1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG",
	9: "MR", 10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO",
	15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN",
	21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX",
	27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC",
	33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6",
	39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP",
	45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID",
	50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP",
	56: "NINFO", 57: "RKEY", 58: "TALINK", 59: "CDS", 60: "CDNSKEY",
	61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS",
	66: "DSYNC", 99: "SPF", 100: "UINFO", 101: "UID", 102: "GID",
	103: "UNSPEC", 104: "NID", 105: "L32", 106: "L64", 107: "LP",
	108: "EUI48", 109: "EUI64", 128: "NXNAME", 249: "TKEY", 250: "TSIG",
	251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA", 255: "ANY",
	256: "URI", 257: "CAA", 258: "AVC", 259: "DOA", 260: "AMTRELAY",
	261: "RESINFO", 262: "WALLET", 32768: "TA", 32769: "DLV",
}
