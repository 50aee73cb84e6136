package decode

import (
	"encoding/binary"
	"net/netip"
)

const (
	ipv4MinHeaderLen = 20
	ipv4FlagMF       = 0x2000 // more fragments
	ipv4OffsetMask   = 0x1FFF // fragment offset, in 8-byte units
)

// IP protocol numbers of tunnels (IANA "Assigned Internet Protocol
// Numbers").
const (
	protoIPIP uint8 = 4  // IPv4 encapsulation (RFC 2003)
	protoIPv6 uint8 = 41 // IPv6 encapsulation (RFC 4213)
	protoGRE  uint8 = 47
)

// decodeIPv4 parses an IPv4 header (RFC 791 section 3.1) with its options.
// The header checksum is not verified. The packet is cut to its total
// length, which removes Ethernet padding. A total length of 0, as TCP
// segmentation offload leaves it in captures, means the captured length.
func (d *Decoder) decodeIPv4(b []byte, p *Packet) Reason {
	if len(b) < ipv4MinHeaderLen {
		return ReasonIPv4Truncated
	}
	if b[0]>>ipVersionNibbleShift != ipVersion4 {
		return ReasonIPBadVersion
	}
	headerLen := int(b[0]&0x0F) * 4
	if headerLen < ipv4MinHeaderLen {
		return ReasonIPv4BadHeaderLength
	}
	if len(b) < headerLen {
		return ReasonIPv4Truncated
	}

	totalLen := int(binary.BigEndian.Uint16(b[2:4]))
	switch {
	case totalLen == 0:
		totalLen = len(b)
	case totalLen < headerLen:
		return ReasonIPv4BadTotalLength
	case totalLen < len(b):
		b = b[:totalLen]
	case totalLen > len(b) && d.rejectShort():
		return ReasonIPv4Truncated
	}

	p.resetTransport()
	p.IPVersion = ipVersion4
	p.Protocol = b[9]
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	p.IPLength = totalLen

	payload := b[headerLen:]
	fragment := binary.BigEndian.Uint16(b[6:8])
	if fragment&(ipv4FlagMF|ipv4OffsetMask) != 0 {
		key := fragmentKey{
			src:   p.Src,
			dst:   p.Dst,
			id:    uint32(binary.BigEndian.Uint16(b[4:6])),
			proto: p.Protocol,
		}
		offset := int(fragment&ipv4OffsetMask) * 8
		return d.decodeFragment(key, offset, fragment&ipv4FlagMF != 0, payload, p)
	}
	return d.decodeTransport(p.Protocol, payload, p, true)
}
