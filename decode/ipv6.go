package decode

import (
	"encoding/binary"
	"net/netip"
)

const ipv6HeaderLen = 40

// IPv6 extension header numbers (RFC 8200 section 4, RFC 4302 for AH).
const (
	ipv6HopByHop        uint8 = 0
	ipv6Routing         uint8 = 43
	ipv6Fragment        uint8 = 44
	ipv6AH              uint8 = 51
	ipv6DestinationOpts uint8 = 60
	ipv6FragmentLen           = 8
)

// decodeIPv6 parses an IPv6 header (RFC 8200 section 3). The packet is cut
// to its payload length, which removes Ethernet padding. A payload length
// of 0, in a jumbogram or a capture taken before segmentation offload,
// means the captured length.
func (d *Decoder) decodeIPv6(b []byte, p *Packet) Reason {
	if len(b) < ipv6HeaderLen {
		return ReasonIPv6Truncated
	}
	if b[0]>>ipVersionNibbleShift != ipVersion6 {
		return ReasonIPBadVersion
	}
	body := b[ipv6HeaderLen:]
	payloadLen := int(binary.BigEndian.Uint16(b[4:6]))
	switch {
	case payloadLen == 0:
		payloadLen = len(body)
	case payloadLen < len(body):
		body = body[:payloadLen]
	case payloadLen > len(body) && d.rejectShort():
		return ReasonIPv6Truncated
	}

	p.resetTransport()
	p.IPVersion = ipVersion6
	p.Protocol = b[6]
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	p.IPLength = ipv6HeaderLen + payloadLen
	return d.decodeIPv6Payload(b[6], body, p, false)
}

// decodeIPv6Payload skips the extension headers that start with next and
// decodes the transport header after them. Hop-by-hop, routing,
// destination options and AH are skipped. A fragment header starts
// reassembly, unless inFragment is set because b is already the payload of
// a fragmented datagram.
// Every header is at least 8 bytes long, so the loop ends.
func (d *Decoder) decodeIPv6Payload(next uint8, b []byte, p *Packet, inFragment bool) Reason {
	for {
		var headerLen int
		switch next {
		case ipv6HopByHop, ipv6Routing, ipv6DestinationOpts:
			if len(b) < 2 {
				return ReasonIPv6ExtensionTruncated
			}
			headerLen = (int(b[1]) + 1) * 8
		case ipv6AH:
			if len(b) < 2 {
				return ReasonIPv6ExtensionTruncated
			}
			headerLen = (int(b[1]) + 2) * 4
		case ipv6Fragment:
			if len(b) < ipv6FragmentLen {
				return ReasonIPv6ExtensionTruncated
			}
			if inFragment {
				return ReasonIPv6BadFragment
			}
			if r, done := d.decodeIPv6Fragment(b, p); done {
				return r
			}
			headerLen = ipv6FragmentLen
		default:
			p.Protocol = next
			return d.decodeTransport(next, b, p, !inFragment)
		}
		if len(b) < headerLen {
			return ReasonIPv6ExtensionTruncated
		}
		next, b = b[0], b[headerLen:]
	}
}

// decodeIPv6Fragment handles a fragment header (RFC 8200 section 4.5) at
// the start of b. It returns done=false for an atomic fragment (offset 0,
// no more fragments; RFC 6946), whose payload is decoded as if the header
// were not there.
func (d *Decoder) decodeIPv6Fragment(b []byte, p *Packet) (r Reason, done bool) {
	offsetAndFlags := binary.BigEndian.Uint16(b[2:4])
	offset := int(offsetAndFlags &^ 0x7)
	more := offsetAndFlags&0x1 != 0
	if offset == 0 && !more {
		return reasonOK, false
	}
	key := fragmentKey{
		src:   p.Src,
		dst:   p.Dst,
		id:    binary.BigEndian.Uint32(b[4:8]),
		proto: b[0],
	}
	p.Protocol = b[0]
	return d.decodeFragment(key, offset, more, b[ipv6FragmentLen:], p), true
}
