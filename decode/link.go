package decode

import (
	"encoding/binary"

	"github.com/flowlens/flowlens/capture"
)

// Link types without a name in package capture that Decode also reads.
const (
	linkTypePPP   capture.LinkType = 9   // PPP with optional HDLC framing (RFC 1662)
	linkTypeCHDLC capture.LinkType = 104 // Cisco HDLC
	linkTypePPI   capture.LinkType = 192 // Per-Packet Information header
)

// Address families in the BSD loopback header: AF_INET is 2 everywhere,
// AF_INET6 is 24 on NetBSD and OpenBSD, 28 on FreeBSD and 30 on macOS.
const (
	bsdFamilyIPv4          = 2
	bsdFamilyIPv6NetBSD    = 24
	bsdFamilyIPv6FreeBSD   = 28
	bsdFamilyIPv6Darwin    = 30
	bsdLoopbackHeaderLen   = 4
	linuxSLLHeaderLen      = 16
	linuxSLL2HeaderLen     = 20
	linuxSLLProtocolLLC    = 0x0004 // the frame is an IEEE 802.2 LLC frame
	chdlcHeaderLen         = 4
	ppiHeaderLen           = 8
	ipVersionNibbleShift   = 4
	ipVersion4, ipVersion6 = 4, 6
)

// decodeLink dispatches on the capture's link-layer header type.
func (d *Decoder) decodeLink(b []byte, link capture.LinkType, p *Packet) Reason {
	switch link {
	case capture.LinkTypeEthernet:
		return d.decodeEthernet(b, p)
	case capture.LinkTypeRaw:
		return d.decodeIPByVersion(b, p)
	case capture.LinkTypeIPv4:
		return d.decodeIPv4(b, p)
	case capture.LinkTypeIPv6:
		return d.decodeIPv6(b, p)
	case capture.LinkTypeNull:
		return d.decodeBSDLoopback(b, p, false)
	case capture.LinkTypeLoop:
		return d.decodeBSDLoopback(b, p, true)
	case capture.LinkTypeLinuxSLL:
		return d.decodeLinuxSLL(b, p)
	case capture.LinkTypeLinuxSLL2:
		return d.decodeLinuxSLL2(b, p)
	case linkTypePPP:
		return d.decodeHDLCPPP(b, p)
	case linkTypeCHDLC:
		return d.decodeCHDLC(b, p)
	case linkTypePPI:
		return d.decodePPI(b, p)
	}
	return ReasonUnsupportedLinkType
}

// decodeIPByVersion decodes an IP packet whose version the first nibble
// gives, as raw IP captures and MPLS payloads require.
func (d *Decoder) decodeIPByVersion(b []byte, p *Packet) Reason {
	if len(b) < 1 {
		return ReasonIPv4Truncated
	}
	switch b[0] >> ipVersionNibbleShift {
	case ipVersion4:
		return d.decodeIPv4(b, p)
	case ipVersion6:
		return d.decodeIPv6(b, p)
	}
	return ReasonIPBadVersion
}

// decodeBSDLoopback parses the 4-byte address family of DLT_NULL (in the
// capturing host's byte order, so both orders are tried) or DLT_LOOP (in
// network byte order).
func (d *Decoder) decodeBSDLoopback(b []byte, p *Packet, networkOrder bool) Reason {
	if len(b) < bsdLoopbackHeaderLen {
		return ReasonLinkTruncated
	}
	family := binary.BigEndian.Uint32(b[0:4])
	if !networkOrder {
		// A family fits in 16 bits, so a value with high bits set was
		// written in the other byte order.
		family = binary.LittleEndian.Uint32(b[0:4])
		if family > 0xFFFF {
			family = binary.BigEndian.Uint32(b[0:4])
		}
	}
	switch family {
	case bsdFamilyIPv4:
		return d.decodeIPv4(b[bsdLoopbackHeaderLen:], p)
	case bsdFamilyIPv6NetBSD, bsdFamilyIPv6FreeBSD, bsdFamilyIPv6Darwin:
		return d.decodeIPv6(b[bsdLoopbackHeaderLen:], p)
	}
	return ReasonNonIP
}

// decodeLinuxSLL parses the 16-byte Linux cooked capture v1 header, whose
// last field is the EtherType.
func (d *Decoder) decodeLinuxSLL(b []byte, p *Packet) Reason {
	if len(b) < linuxSLLHeaderLen {
		return ReasonLinkTruncated
	}
	return d.decodeCookedProtocol(binary.BigEndian.Uint16(b[14:16]), b[linuxSLLHeaderLen:], p)
}

// decodeLinuxSLL2 parses the 20-byte Linux cooked capture v2 header, whose
// first field is the EtherType.
func (d *Decoder) decodeLinuxSLL2(b []byte, p *Packet) Reason {
	if len(b) < linuxSLL2HeaderLen {
		return ReasonLinkTruncated
	}
	return d.decodeCookedProtocol(binary.BigEndian.Uint16(b[0:2]), b[linuxSLL2HeaderLen:], p)
}

func (d *Decoder) decodeCookedProtocol(proto uint16, b []byte, p *Packet) Reason {
	if proto == linuxSLLProtocolLLC {
		return d.decodeLLC(b, p)
	}
	return d.decodeEtherType(proto, b, p)
}

// decodeHDLCPPP parses PPP in HDLC-like framing (RFC 1662 section 3.1),
// where the address and control bytes 0xFF 0x03 may be left out. Cisco
// HDLC frames, whose address byte is 0x0F (unicast) or 0x8F (broadcast),
// also appear under this link type, and are decoded as such.
func (d *Decoder) decodeHDLCPPP(b []byte, p *Packet) Reason {
	if len(b) >= 2 && (b[0] == 0x0F || b[0] == 0x8F) && b[1] == 0x00 {
		return d.decodeCHDLC(b, p)
	}
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0x03 {
		b = b[2:]
	}
	return d.decodePPP(b, p)
}

// decodeCHDLC parses a Cisco HDLC header: address, control, and an
// EtherType.
func (d *Decoder) decodeCHDLC(b []byte, p *Packet) Reason {
	if len(b) < chdlcHeaderLen {
		return ReasonLinkTruncated
	}
	return d.decodeEtherType(binary.BigEndian.Uint16(b[2:4]), b[chdlcHeaderLen:], p)
}

// decodePPI skips a Per-Packet Information header (little-endian length
// and link type) and decodes the frame behind it. A PPI frame inside PPI is
// rejected, so this cannot recurse.
func (d *Decoder) decodePPI(b []byte, p *Packet) Reason {
	if len(b) < ppiHeaderLen {
		return ReasonLinkTruncated
	}
	headerLen := int(binary.LittleEndian.Uint16(b[2:4]))
	inner := binary.LittleEndian.Uint32(b[4:8])
	if headerLen < ppiHeaderLen || headerLen > len(b) {
		return ReasonLinkTruncated
	}
	if inner > 0xFFFF || capture.LinkType(inner) == linkTypePPI {
		return ReasonUnsupportedLinkType
	}
	return d.decodeLink(b[headerLen:], capture.LinkType(inner), p)
}
