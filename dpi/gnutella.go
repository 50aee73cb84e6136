package dpi

import (
	"bytes"
	"encoding/binary"
)

// Gnutella descriptor header of the Gnutella Protocol Specification 0.6,
// section 2.2: a 16-byte message id, the payload type, TTL, hops and the
// payload length (little endian).
const (
	gnutellaHeaderLen = 23
	gnutellaTypeOff   = 16
	gnutellaLengthOff = 19
	// gnutellaTypeDHT is the payload type of the Mojito DHT messages that
	// LimeWire-derived servents send over Gnutella UDP.
	gnutellaTypeDHT = 0x44
	// gnutellaMaxHops bounds TTL+hops; servents cap it at a small number.
	gnutellaMaxHops = 16
)

// g2UDPHeaderLen is the size of the Gnutella2 UDP transport header: "GND",
// flags, sequence number (16 bits), part number and part count.
const g2UDPHeaderLen = 8

var (
	gnutellaConnect  = []byte("GNUTELLA CONNECT/")
	gnutellaResponse = []byte("GNUTELLA/0.")
	gnutellaGiv      = []byte("GIV ")
	g2UDPMagic       = []byte("GND")
)

// Gnutella recognises the Gnutella and Gnutella2 peer-to-peer networks:
// the TCP handshake of Gnutella 0.6 ("GNUTELLA CONNECT/0.6" answered by
// "GNUTELLA/0.6 200 OK"), a push connection ("GIV "), the Gnutella2 UDP
// transport ("GND" header) and DHT descriptors over Gnutella UDP.
type Gnutella struct{}

// Name returns nDPI's name for the protocol.
func (Gnutella) Name() string { return "Gnutella" }

// Inspect claims the flow on the first payload that matches the handshake
// or a UDP header.
func (Gnutella) Inspect(f *Flow, p *Packet) Verdict {
	var ok bool
	if f.Protocol == 6 {
		ok = gnutellaTCP(p.Payload, p.Dir)
	} else {
		ok = g2UDPHeader(p.Payload) || gnutellaDHTDescriptor(p.Payload)
	}
	if ok {
		f.SetResult("Gnutella", "")
		return Done
	}
	// A UDP flow is judged on its first datagram: flows that open with a
	// Ping and carry DHT messages later are left unknown by nDPI 4.x.
	if f.Protocol != 6 || f.Packets[ClientToServer]+f.Packets[ServerToClient] >= 2 {
		return NotMine
	}
	return NeedMore
}

func gnutellaTCP(b []byte, dir Direction) bool {
	if dir == ServerToClient {
		return bytes.HasPrefix(b, gnutellaResponse)
	}
	return bytes.HasPrefix(b, gnutellaConnect) || bytes.HasPrefix(b, gnutellaGiv)
}

// g2UDPHeader checks a Gnutella2 UDP transport header: the part number
// lies within the part count, or both are zero in an acknowledgement.
func g2UDPHeader(b []byte) bool {
	if len(b) < g2UDPHeaderLen || !bytes.HasPrefix(b, g2UDPMagic) {
		return false
	}
	part, count := b[6], b[7]
	if count == 0 {
		return len(b) == g2UDPHeaderLen
	}
	return part >= 1 && part <= count
}

// gnutellaDHTDescriptor checks a descriptor header whose payload length
// is the rest of the datagram and whose type is a DHT message.
//
// NOTE: Ping, Pong and Query descriptors over UDP are not claimed, as nDPI
// 4.x leaves such flows unknown.
func gnutellaDHTDescriptor(b []byte) bool {
	if len(b) < gnutellaHeaderLen || b[gnutellaTypeOff] != gnutellaTypeDHT {
		return false
	}
	if int(b[17])+int(b[18]) > gnutellaMaxHops {
		return false
	}
	n := binary.LittleEndian.Uint32(b[gnutellaLengthOff:gnutellaHeaderLen])
	return uint64(n) == uint64(len(b)-gnutellaHeaderLen)
}
