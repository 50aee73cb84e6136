package decode

import "encoding/binary"

// EtherType values (IEEE Registration Authority) that Decode follows.
const (
	etherTypeIPv4           = 0x0800
	etherTypeIPv6           = 0x86DD
	etherTypeVLAN           = 0x8100 // IEEE 802.1Q customer tag
	etherTypeQinQ           = 0x88A8 // IEEE 802.1ad service tag
	etherTypeQinQ9100       = 0x9100 // pre-standard QinQ service tags
	etherTypeQinQ9200       = 0x9200
	etherTypeMPLSUnicast    = 0x8847
	etherTypeMPLSMulticast  = 0x8848
	etherTypePPPoESession   = 0x8864
	etherTypeTransEtherBrdg = 0x6558 // transparent Ethernet bridging
	etherTypeERSPANII       = 0x88BE
	etherTypeERSPANIII      = 0x22EB
	etherTypeFabricPath     = 0x8903 // Cisco FabricPath
)

const (
	ethernetHeaderLen   = 14
	fabricPathHeaderLen = 16
	vlanTagLen          = 4
	mplsLabelLen        = 4
	pppoeHeaderLen      = 6

	// maxEthernetLength is the largest value of the type/length field that
	// is a length (IEEE 802.3 clause 3.2.6); 0x0600 and up are EtherTypes.
	maxEthernetLength = 1500
	minEtherType      = 0x0600
)

// PPP protocol numbers (RFC 1332 for IPv4, RFC 5072 for IPv6).
const (
	pppIPv4 = 0x0021
	pppIPv6 = 0x0057
)

// decodeEthernet parses an Ethernet II or IEEE 802.3 frame without FCS.
// A Cisco FabricPath header in front of the frame is skipped.
func (d *Decoder) decodeEthernet(b []byte, p *Packet) Reason {
	for {
		if len(b) < ethernetHeaderLen {
			return ReasonEthernetTruncated
		}
		typeOrLength := binary.BigEndian.Uint16(b[12:14])
		if typeOrLength != etherTypeFabricPath {
			break
		}
		if len(b) < fabricPathHeaderLen {
			return ReasonEthernetTruncated
		}
		b = b[fabricPathHeaderLen:]
	}

	typeOrLength := binary.BigEndian.Uint16(b[12:14])
	body := b[ethernetHeaderLen:]
	switch {
	case typeOrLength <= maxEthernetLength:
		if int(typeOrLength) < len(body) {
			body = body[:typeOrLength]
		}
		return d.decodeLLC(body, p)
	case typeOrLength < minEtherType:
		return ReasonNonIP
	}
	return d.decodeEtherType(typeOrLength, body, p)
}

// decodeLLC parses an IEEE 802.2 LLC header and, for SNAP (RFC 1042), the
// EtherType behind it. Other LLC payloads (STP, NetBIOS, IPX) are not IP.
func (d *Decoder) decodeLLC(b []byte, p *Packet) Reason {
	const llcSNAPLen = 8
	if len(b) < 3 {
		return ReasonLLCTruncated
	}
	if b[0] != 0xAA || b[1] != 0xAA || b[2] != 0x03 {
		return ReasonNonIP
	}
	if len(b) < llcSNAPLen {
		return ReasonLLCTruncated
	}
	if b[3] != 0 || b[4] != 0 || b[5] != 0 {
		return ReasonNonIP // an organisation-specific protocol
	}
	return d.decodeEtherType(binary.BigEndian.Uint16(b[6:8]), b[llcSNAPLen:], p)
}

// decodeEtherType follows VLAN tags and MPLS labels to the IP header.
func (d *Decoder) decodeEtherType(etherType uint16, b []byte, p *Packet) Reason {
	for {
		switch etherType {
		case etherTypeIPv4:
			return d.decodeIPv4(b, p)
		case etherTypeIPv6:
			return d.decodeIPv6(b, p)
		case etherTypeVLAN, etherTypeQinQ, etherTypeQinQ9100, etherTypeQinQ9200:
			if len(b) < vlanTagLen {
				return ReasonVLANTruncated
			}
			// Each tag overwrites the last, so with QinQ the inner
			// (customer) id stays, as nDPI keys flows.
			p.VLAN = binary.BigEndian.Uint16(b[0:2]) & 0x0FFF
			etherType = binary.BigEndian.Uint16(b[2:4])
			b = b[vlanTagLen:]
		case etherTypeMPLSUnicast, etherTypeMPLSMulticast:
			return d.decodeMPLS(b, p)
		case etherTypePPPoESession:
			return d.decodePPPoE(b, p)
		default:
			return ReasonNonIP
		}
	}
}

// decodeMPLS skips an MPLS label stack (RFC 3032 section 2.1) and decodes
// the IP packet under it by its version nibble. Other payloads, such as
// Ethernet pseudowires, are not decoded.
func (d *Decoder) decodeMPLS(b []byte, p *Packet) Reason {
	for {
		if len(b) < mplsLabelLen {
			return ReasonMPLSTruncated
		}
		bottomOfStack := b[2]&0x01 != 0
		b = b[mplsLabelLen:]
		if bottomOfStack {
			break
		}
	}
	if len(b) == 0 {
		return ReasonMPLSTruncated
	}
	return d.decodeIPByVersion(b, p)
}

// decodePPPoE parses a PPPoE session header (RFC 2516 section 4) and the
// PPP frame it carries.
func (d *Decoder) decodePPPoE(b []byte, p *Packet) Reason {
	if len(b) < pppoeHeaderLen {
		return ReasonPPPoETruncated
	}
	if b[0] != 0x11 || b[1] != 0 {
		return ReasonNonIP // not version 1, type 1, session data
	}
	length := int(binary.BigEndian.Uint16(b[4:6]))
	b = b[pppoeHeaderLen:]
	if length < len(b) {
		b = b[:length]
	}
	return d.decodePPP(b, p)
}

// decodePPP reads a PPP protocol field (RFC 1661 section 2), which may be
// compressed to one byte, and decodes IPv4 and IPv6 behind it.
func (d *Decoder) decodePPP(b []byte, p *Packet) Reason {
	if len(b) < 1 {
		return ReasonPPPTruncated
	}
	var proto uint16
	if b[0]&0x01 != 0 {
		proto, b = uint16(b[0]), b[1:]
	} else {
		if len(b) < 2 {
			return ReasonPPPTruncated
		}
		proto, b = binary.BigEndian.Uint16(b[0:2]), b[2:]
	}
	switch proto {
	case pppIPv4:
		return d.decodeIPv4(b, p)
	case pppIPv6:
		return d.decodeIPv6(b, p)
	}
	return ReasonNonIP
}
