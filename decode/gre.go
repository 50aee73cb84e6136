package decode

import "encoding/binary"

// GRE header flags (RFC 2784 section 2.1, RFC 2890 section 2).
const (
	greFlagChecksum = 0x8000
	greFlagRouting  = 0x4000 // RFC 1701 source routing, obsolete
	greFlagKey      = 0x2000
	greFlagSequence = 0x1000
	greVersionMask  = 0x0007
	greBaseLen      = 4
)

// ERSPAN header sizes (draft-foschiano-erspan-03 sections 4.1 and 4.2).
const (
	erspanIIHeaderLen     = 8
	erspanIIIHeaderLen    = 12
	erspanIIISubheaderLen = 8 // platform-specific, present when the O bit is set
	erspanIIVersion       = 1
	erspanIIIVersion      = 2
	erspanFrameEthernet   = 0
	erspanFrameIP         = 2
)

// decodeGRE parses a GRE header (RFC 2784 with the key and sequence number
// of RFC 2890) and decodes the IPv4, IPv6, MPLS, Ethernet or ERSPAN payload
// inside. It returns ok=false for GRE it does not follow (PPTP's version 1,
// source routing, other payload types), which stays a packet of IP
// protocol 47.
func (d *Decoder) decodeGRE(b []byte, p *Packet) (r Reason, ok bool) {
	if len(b) < greBaseLen {
		return ReasonGRETruncated, true
	}
	flags := binary.BigEndian.Uint16(b[0:2])
	proto := binary.BigEndian.Uint16(b[2:4])
	if flags&(greVersionMask|greFlagRouting) != 0 || !greFollows(proto) {
		return reasonOK, false
	}

	headerLen := greBaseLen
	for _, f := range [...]uint16{greFlagChecksum, greFlagKey, greFlagSequence} {
		if flags&f != 0 {
			headerLen += 4
		}
	}
	if len(b) < headerLen {
		return ReasonGRETruncated, true
	}
	if r := d.enterTunnel(p); r != reasonOK {
		return r, true
	}

	inner := b[headerLen:]
	switch proto {
	case etherTypeTransEtherBrdg:
		return d.decodeEthernet(inner, p), true
	case etherTypeERSPANII:
		// ERSPAN type I has no sequence number and no ERSPAN header.
		if flags&greFlagSequence == 0 {
			return d.decodeEthernet(inner, p), true
		}
		return d.decodeERSPANII(inner, p), true
	case etherTypeERSPANIII:
		return d.decodeERSPANIII(inner, p), true
	}
	return d.decodeEtherType(proto, inner, p), true
}

func greFollows(proto uint16) bool {
	switch proto {
	case etherTypeIPv4, etherTypeIPv6, etherTypeMPLSUnicast, etherTypeMPLSMulticast,
		etherTypeTransEtherBrdg, etherTypeERSPANII, etherTypeERSPANIII:
		return true
	}
	return false
}

// decodeERSPANII skips an ERSPAN type II header and decodes the mirrored
// Ethernet frame.
func (d *Decoder) decodeERSPANII(b []byte, p *Packet) Reason {
	if len(b) < erspanIIHeaderLen {
		return ReasonERSPANTruncated
	}
	if b[0]>>4 != erspanIIVersion {
		return ReasonNonIP
	}
	return d.decodeEthernet(b[erspanIIHeaderLen:], p)
}

// decodeERSPANIII skips an ERSPAN type III header and its optional
// platform-specific subheader, and decodes the mirrored Ethernet frame or
// IP packet.
func (d *Decoder) decodeERSPANIII(b []byte, p *Packet) Reason {
	if len(b) < erspanIIIHeaderLen {
		return ReasonERSPANTruncated
	}
	if b[0]>>4 != erspanIIIVersion {
		return ReasonNonIP
	}
	frameType := (b[10] >> 2) & 0x1F
	headerLen := erspanIIIHeaderLen
	if b[11]&0x01 != 0 {
		headerLen += erspanIIISubheaderLen
	}
	if len(b) < headerLen {
		return ReasonERSPANTruncated
	}
	switch frameType {
	case erspanFrameEthernet:
		return d.decodeEthernet(b[headerLen:], p)
	case erspanFrameIP:
		return d.decodeIPByVersion(b[headerLen:], p)
	}
	return ReasonNonIP
}
