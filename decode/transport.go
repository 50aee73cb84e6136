package decode

import "encoding/binary"

const (
	tcpMinHeaderLen = 20
	udpHeaderLen    = 8
	icmpHeaderLen   = 8 // type, code, checksum and the 4-byte rest of header
	sctpHeaderLen   = 12
)

// resetTransport clears what an outer header left in p before an inner
// IP header is decoded.
func (p *Packet) resetTransport() {
	p.SrcPort, p.DstPort = 0, 0
	p.TCPFlags, p.Seq, p.Ack, p.Window = 0, 0, 0, 0
	p.ICMPType, p.ICMPCode = 0, 0
	p.Payload = nil
	p.Fragment = false
}

// decodeTransport decodes the header of IP protocol proto at the start of
// b, the IP payload. With followTunnels, tunnels are entered and the
// innermost packet fills p. Protocols without a decoder keep b as Payload.
func (d *Decoder) decodeTransport(proto uint8, b []byte, p *Packet, followTunnels bool) Reason {
	switch proto {
	case ProtoTCP:
		return decodeTCP(b, p)
	case ProtoUDP:
		return d.decodeUDP(b, p, followTunnels)
	case ProtoICMP, ProtoICMPv6:
		return decodeICMP(b, p)
	case ProtoSCTP:
		return decodeSCTP(b, p)
	}
	if followTunnels {
		switch proto {
		case protoIPIP:
			return d.decodeIPTunnel(b, p, false)
		case protoIPv6:
			return d.decodeIPTunnel(b, p, true)
		case protoGRE:
			if r, ok := d.decodeGRE(b, p); ok {
				return r
			}
		}
	}
	p.Payload = b
	return reasonOK
}

// decodeIPTunnel decodes an IPv4 or IPv6 packet carried directly in IP
// (RFC 2003, RFC 4213, RFC 2473).
func (d *Decoder) decodeIPTunnel(b []byte, p *Packet, v6 bool) Reason {
	if r := d.enterTunnel(p); r != reasonOK {
		return r
	}
	if v6 {
		return d.decodeIPv6(b, p)
	}
	return d.decodeIPv4(b, p)
}

// decodeTCP parses a TCP header (RFC 9293 section 3.1) and skips its
// options.
func decodeTCP(b []byte, p *Packet) Reason {
	if len(b) < tcpMinHeaderLen {
		return ReasonTCPTruncated
	}
	dataOffset := int(b[12]>>4) * 4
	if dataOffset < tcpMinHeaderLen {
		return ReasonTCPBadDataOffset
	}
	if dataOffset > len(b) {
		return ReasonTCPTruncated
	}
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	p.Seq = binary.BigEndian.Uint32(b[4:8])
	p.Ack = binary.BigEndian.Uint32(b[8:12])
	p.TCPFlags = b[13]
	p.Window = binary.BigEndian.Uint16(b[14:16])
	p.Payload = b[dataOffset:]
	return reasonOK
}

// decodeUDP parses a UDP header (RFC 768) and, with followTunnels, the
// tunnels known by their UDP port. The payload is cut to the UDP length
// when that is shorter than what was captured.
func (d *Decoder) decodeUDP(b []byte, p *Packet, followTunnels bool) Reason {
	if len(b) < udpHeaderLen {
		return ReasonUDPTruncated
	}
	srcPort := binary.BigEndian.Uint16(b[0:2])
	dstPort := binary.BigEndian.Uint16(b[2:4])
	length := int(binary.BigEndian.Uint16(b[4:6]))
	if length >= udpHeaderLen && length < len(b) {
		b = b[:length]
	}
	payload := b[udpHeaderLen:]

	if followTunnels {
		if r, ok := d.decodeUDPTunnel(srcPort, dstPort, payload, p); ok {
			return r
		}
	}
	p.SrcPort, p.DstPort = srcPort, dstPort
	p.Payload = payload
	return reasonOK
}

// decodeICMP reads the type and code of an ICMP (RFC 792) or ICMPv6
// (RFC 4443) message. Payload is what follows the 8-byte header, or empty
// for a shorter message.
func decodeICMP(b []byte, p *Packet) Reason {
	if len(b) < 4 {
		return ReasonICMPTruncated
	}
	p.ICMPType, p.ICMPCode = b[0], b[1]
	if len(b) >= icmpHeaderLen {
		p.Payload = b[icmpHeaderLen:]
	}
	return reasonOK
}

// decodeSCTP reads the ports of an SCTP common header (RFC 9260 section
// 3.1). Payload is the chunks that follow.
func decodeSCTP(b []byte, p *Packet) Reason {
	if len(b) < sctpHeaderLen {
		return ReasonSCTPTruncated
	}
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	p.Payload = b[sctpHeaderLen:]
	return reasonOK
}
