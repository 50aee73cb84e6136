package dpi

import "bytes"

// H.323 call signalling (ITU-T H.225.0) carries Q.931 messages over TCP
// in TPKT framing (RFC 1006 section 6): version 3, a reserved byte and
// the packet length (16 bits, header included). A Q.931 message starts
// with its protocol discriminator, 0x08, and the length of the call
// reference (ITU-T Q.931 section 4.2 and 4.3).
const (
	q931Discriminator  = 0x08
	q931MaxCallRefLen  = 2
	h323SignallingPort = 1720
	h323MinQ931Len     = 3
)

// h225OID and h245OID are the encoded protocol identifiers of H.225.0 and
// H.245 messages: a length byte of 6, then itu-t(0) recommendation(0)
// h(8) 2250 or 245. The last arc, the version, is left out.
var (
	h225OID = []byte{0x06, 0x00, 0x08, 0x91, 0x4a, 0x00}
	h245OID = []byte{0x06, 0x00, 0x08, 0x81, 0x75, 0x00}
)

// h225RASOIDWindow and h245OIDWindow bound how far into a message the
// protocol identifier is looked for. A RAS message (H.225.0 over UDP)
// holds it right after its PER-encoded CHOICE and request sequence
// number, at offset 4 in the captures seen.
const (
	h225RASOIDWindow = 12
	h245OIDWindow    = 16
	h225RASPort      = 1719
)

// H323 recognises H.323 video and voice calls: the RAS messages of
// H.225.0 over UDP, and the call signalling and H.245 control over TCP.
type H323 struct{}

// Name returns nDPI's name for the protocol.
func (H323) Name() string { return "H323" }

// Ports returns the H.225.0 call signalling port.
func (H323) Ports() (tcp, udp []uint16) {
	return []uint16{h323SignallingPort}, []uint16{h225RASPort}
}

// Inspect claims a UDP flow whose datagram is a RAS message, or a TCP flow
// whose segment is one TPKT packet carrying a Q.931 message or H.245.
func (H323) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	var ok bool
	switch f.Protocol {
	case ipProtocolUDP:
		ok = bytes.Contains(b[:min(len(b), h225RASOIDWindow)], h225OID)
	case ipProtocolTCP:
		ok = h323TPKT(b)
	}
	if !ok {
		return NotMine
	}
	f.SetResult("H323", "")
	return Done
}

// h323TPKT checks a TPKT packet of the exact segment length. TPKT also
// carries the ISO transport of RDP and S7comm, whose first byte after the
// header is a length indicator followed by a TPDU code, never 0x08
// followed by a call reference length, nor the H.245 identifier.
func h323TPKT(b []byte) bool {
	if len(b) < tpktHeaderLen+h323MinQ931Len || b[0] != tpktVersion || b[1] != 0 || int(b[2])<<8|int(b[3]) != len(b) {
		return false
	}
	callRefLen := b[tpktHeaderLen+1]
	if b[tpktHeaderLen] == q931Discriminator && callRefLen >= 1 && callRefLen <= q931MaxCallRefLen {
		return true
	}
	window := b[tpktHeaderLen:min(len(b), tpktHeaderLen+h245OIDWindow)]
	return bytes.Contains(window, h245OID)
}
