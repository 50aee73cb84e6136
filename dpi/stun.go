package dpi

import (
	"encoding/binary"
)

// STUN message header and attributes (RFC 8489 sections 5 and 14, and
// RFC 3489 section 11 for the classic form without the magic cookie).
const (
	stunHeaderLen   = 20
	stunMagicCookie = 0x2112a442

	stunAttrUsername         = 0x0006
	stunAttrMessageIntegrity = 0x0008
	stunAttrRealm            = 0x0014

	stunPort    = 3478
	stunAltPort = 3479
	// stunInspectPackets is how many packets a STUN flow is watched for the
	// attributes that name the application and for the media that follows.
	stunInspectPackets = 7
	// stunMaxNameLen bounds the REALM copied into the flow's host name.
	stunMaxNameLen = 253
)

// Ranks of the evidence for a STUN flow's application: a stronger one
// replaces a weaker one seen earlier.
const (
	stunRankNone = iota
	stunRankAddress
	stunRankRealm
	stunRankAttributes
)

// stunVoIPApps maps the service of a realm or server address to the name
// nDPI gives to its calls.
var stunVoIPApps = map[string]string{
	"Google":      "GoogleCall",
	"Signal":      "SignalVoip",
	"Viber":       "ViberVoip",
	"Facebook":    "FacebookVoip",
	"WhatsApp":    "WhatsAppCall",
	"Zoom":        "Zoom",
	"Skype_Teams": "Skype_TeamsCall",
	"Microsoft":   "Skype_TeamsCall",
}

// stunState is a STUN flow's progress, kept in the flow's scratch space.
type stunState struct {
	rank int
	// dtls is set once DTLS followed the checks: the DTLS dissector then
	// reads the rest of the flow for its handshake.
	dtls bool
}

// STUN recognises Session Traversal Utilities for NAT (RFC 8489, and the
// classic RFC 3489 form), with TURN (RFC 8656) and ICE (RFC 8445) that use
// its messages. It names the calling application from vendor attributes,
// the REALM or the server's address, and notices RTP or DTLS that follows
// the connectivity checks on the same flow.
type STUN struct{}

// Name returns nDPI's name for the protocol.
func (STUN) Name() string { return "STUN" }

// Ports returns the usual STUN and TURN server ports.
func (STUN) Ports() (tcp, udp []uint16) {
	return []uint16{stunPort}, []uint16{stunPort, stunAltPort, 19302, 19305}
}

// Inspect claims the flow on its first STUN message and goes on reading
// attributes until stunInspectPackets packets have been seen.
func (STUN) Inspect(f *Flow, p *Packet) Verdict {
	if st := Scratch[stunState](f, "STUN"); st.dtls {
		return stunDTLS(f, p)
	}
	msg := p.Payload
	if f.Protocol == 6 {
		msg = stunTCPMessage(msg)
	}
	_, attrs, ok := parseSTUN(msg)
	if f.Master == "" {
		if !ok {
			if f.Packets[0]+f.Packets[1] >= 3 {
				return NotMine
			}
			return NeedMore
		}
		f.SetResult("STUN", "")
		stunAppFromAddress(f, Scratch[stunState](f, "STUN"))
	}
	if ok {
		stunReadAttributes(f, Scratch[stunState](f, "STUN"), msg, attrs)
	} else if stunFollowingMedia(f, p.Payload) {
		if f.Master != "DTLS" {
			return Done
		}
		Scratch[stunState](f, "STUN").dtls = true
		return stunDTLS(f, p)
	}
	if f.Packets[0]+f.Packets[1] >= stunInspectPackets {
		return Done
	}
	return Claimed
}

// stunTCPMessage returns the STUN message of a TCP segment: either at its
// start, or after the two-byte length of RFC 4571 framing.
func stunTCPMessage(b []byte) []byte {
	if len(b) >= 2 {
		n := int(binary.BigEndian.Uint16(b))
		if n >= stunHeaderLen && n <= len(b)-2 {
			if _, _, ok := parseSTUN(b[2 : 2+n]); ok {
				return b[2 : 2+n]
			}
		}
	}
	if len(b) < stunHeaderLen {
		return nil
	}
	n := stunHeaderLen + int(binary.BigEndian.Uint16(b[2:4]))
	if n > len(b) {
		return nil
	}
	return b[:n]
}

// parseSTUN checks a whole STUN message and returns its type and its
// attributes. The message length must be a multiple of four and fill the
// buffer, and the attributes must form a well-formed chain. A classic
// message without the magic cookie must also have a classic type.
func parseSTUN(b []byte) (msgType uint16, attrs []byte, ok bool) {
	if len(b) < stunHeaderLen || b[0]&0xc0 != 0 {
		return 0, nil, false
	}
	msgType = binary.BigEndian.Uint16(b[0:2])
	length := int(binary.BigEndian.Uint16(b[2:4]))
	if length%4 != 0 || stunHeaderLen+length != len(b) {
		return 0, nil, false
	}
	attrs = b[stunHeaderLen:]
	if binary.BigEndian.Uint32(b[4:8]) == stunMagicCookie {
		return msgType, attrs, stunAttributesWellFormed(attrs)
	}
	if !stunClassicType(msgType) || length == 0 || !stunAttributesWellFormed(attrs) {
		return 0, nil, false
	}
	return msgType, attrs, true
}

// stunClassicType reports whether t is a Binding or Shared Secret request
// or response of RFC 3489 section 11.1.
func stunClassicType(t uint16) bool {
	switch t {
	case 0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112:
		return true
	}
	return false
}

// stunAttributesWellFormed reports whether attrs is a chain of
// type-length-value attributes, each padded to four bytes, that ends
// exactly at the end of the message.
func stunAttributesWellFormed(attrs []byte) bool {
	for len(attrs) > 0 {
		_, _, rest, ok := stunNextAttribute(attrs)
		if !ok {
			return false
		}
		attrs = rest
	}
	return true
}

// stunNextAttribute splits the first attribute off attrs.
func stunNextAttribute(attrs []byte) (typ uint16, value, rest []byte, ok bool) {
	if len(attrs) < 4 {
		return 0, nil, nil, false
	}
	typ = binary.BigEndian.Uint16(attrs[0:2])
	n := int(binary.BigEndian.Uint16(attrs[2:4]))
	padded := (n + 3) &^ 3
	if 4+padded > len(attrs) {
		return 0, nil, nil, false
	}
	return typ, attrs[4 : 4+n], attrs[4+padded:], true
}

// stunDTLS hands a packet of a STUN flow that turned to DTLS to the DTLS
// dissector, so that the handshake's certificate and fingerprints are
// read, while the flow keeps the application STUN found.
func stunDTLS(f *Flow, p *Packet) Verdict {
	app := f.App
	v := DTLSDissector{}.Inspect(f, p)
	f.Master = "DTLS"
	if f.App == "" {
		f.App = app
	}
	switch v {
	case NotMine:
		// A datagram that is not DTLS does not end the search for the
		// handshake, because Zoom sends one whose handshake header is
		// scrambled before its Client Hello.
		if f.Packets[0]+f.Packets[1] < dtlsMaxPackets {
			return Claimed
		}
		return Done
	case NeedMore:
		return Claimed
	}
	return v
}
