// Package decode parses a captured frame's headers, from the link layer
// through tunnels down to the innermost IP and transport headers, without
// copying the packet.
package decode

import "net/netip"

// IP protocol numbers used in flow keys (IANA "Assigned Internet Protocol
// Numbers").
const (
	ProtoICMP   uint8 = 1
	ProtoTCP    uint8 = 6
	ProtoUDP    uint8 = 17
	ProtoICMPv6 uint8 = 58
	ProtoSCTP   uint8 = 132
)

// TCP flag bits as they sit in the TCP header's flags byte (RFC 9293).
const (
	TCPFlagFIN uint8 = 0x01
	TCPFlagSYN uint8 = 0x02
	TCPFlagRST uint8 = 0x04
	TCPFlagPSH uint8 = 0x08
	TCPFlagACK uint8 = 0x10
	TCPFlagURG uint8 = 0x20
	TCPFlagECE uint8 = 0x40
	TCPFlagCWR uint8 = 0x80
)

// Packet is the decoded view of one frame, keyed on its innermost IP header.
// Payload aliases the frame's bytes (or the decoder's reassembly buffer) and
// is valid until the next Decode call.
type Packet struct {
	// VLAN is the innermost 802.1Q id, 0 when untagged.
	VLAN      uint16
	IPVersion uint8
	// Protocol is the innermost IP protocol number.
	Protocol uint8
	Src, Dst netip.Addr
	// SrcPort and DstPort are set for TCP, UDP and SCTP.
	SrcPort, DstPort uint16
	// TCP header fields, for TCP only.
	TCPFlags uint8
	Seq, Ack uint32
	Window   uint16
	// ICMPType and ICMPCode are set for ICMP and ICMPv6.
	ICMPType, ICMPCode uint8
	// IPLength is the innermost IP packet's total length from its header.
	IPLength int
	// Payload is the transport payload that was captured (for a fragmented
	// datagram, the whole reassembled payload on the frame that completed it).
	Payload []byte
	// Fragment is set on a frame that carries part of a fragmented IPv4 or
	// IPv6 datagram.
	Fragment bool
	// LaterFragment is set on a fragment other than the first (offset 0)
	// of its datagram; only the first carries the transport header.
	LaterFragment bool
	// Reassembled is set on the frame that completed a fragmented
	// datagram: Payload holds the whole datagram's transport payload.
	Reassembled bool
	// Tunnelled is set when the flow key came from inside a tunnel.
	Tunnelled bool
}
