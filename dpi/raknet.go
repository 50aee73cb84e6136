package dpi

import "bytes"

// raknetOfflineMagic is the 16-byte constant that RakNet puts in every
// unconnected (offline) message: pings and pongs, and the open
// connection requests and replies that start a connection.
var raknetOfflineMagic = []byte("\x00\xff\xff\x00\xfe\xfe\xfe\xfe\xfd\xfd\xfd\xfd\x12\x34\x56\x78")

// Offsets of the magic: right after the message id in connection
// requests and replies, after the id and an 8-byte time in pings and
// pongs.
const (
	raknetMagicAfterID   = 1
	raknetMagicAfterTime = 9
)

// RakNet recognises the RakNet game networking library, which Minecraft
// Bedrock, Roblox and others use. It checks for the offline magic of the
// unconnected messages. A flow seen after its handshake needs two frame
// set or acknowledgement datagrams whose contents fill them exactly.
type RakNet struct{}

// RakNet frame set datagram: a header byte with the valid bit, a 24-bit
// sequence number, then frames. A frame has a flags byte (reliability in
// the top three bits, the split flag 0x10) and its body length in bits,
// followed by indexes that depend on the reliability and the split flag.
const (
	raknetFlagValid    = 0x80
	raknetFrameSetHead = 4
	raknetFlagSplit    = 0x10
	raknetSplitInfoLen = 10
	raknetIndexLen     = 3
	raknetFrameSets    = 2
	// raknetACK and raknetNACK head acknowledgement datagrams: a 16-bit
	// record count, then records of a flag byte (1 for a single sequence
	// number, 0 for a range) and one or two 24-bit sequence numbers.
	raknetACK  = 0xc0
	raknetNACK = 0xa0
)

// raknetState counts the frame set datagrams seen.
type raknetState struct {
	frameSets int
}

// Name returns nDPI's name for the protocol.
func (RakNet) Name() string { return "RakNet" }

// Inspect claims a UDP flow whose first datagram is an offline message,
// or whose first two datagrams are frame sets.
func (RakNet) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 17 {
		return NotMine
	}
	if f.Packets[0]+f.Packets[1] == 1 && raknetPrefixedOffline(p.Payload) {
		f.SetResult("RakNet", "")
		return Done
	}
	if !raknetOffline(p.Payload) {
		if !raknetFrameSet(p.Payload) && !raknetAcknowledgement(p.Payload) {
			return NotMine
		}
		st := Scratch[raknetState](f, "RakNet")
		if st.frameSets++; st.frameSets < raknetFrameSets {
			return NeedMore
		}
	}
	f.SetResult("RakNet", "")
	return Done
}

// raknetFrameSet reports whether b is a frame set whose frames end
// exactly at the end of the datagram.
func raknetFrameSet(b []byte) bool {
	if len(b) < raknetFrameSetHead+3 || b[0]&0xf0 != raknetFlagValid {
		return false
	}
	rest := b[raknetFrameSetHead:]
	for len(rest) > 0 {
		n, ok := raknetFrameLen(rest)
		if !ok || n > len(rest) {
			return false
		}
		rest = rest[n:]
	}
	return true
}

// raknetAcknowledgement reports whether b is an ACK or NACK datagram
// whose records end exactly at the end of the datagram.
func raknetAcknowledgement(b []byte) bool {
	if len(b) < 3 || (b[0] != raknetACK && b[0] != raknetNACK) {
		return false
	}
	count := int(b[1])<<8 | int(b[2])
	rest := b[3:]
	for ; count > 0 && len(rest) > 0; count-- {
		n := 1 + 2*raknetIndexLen
		if rest[0] == 1 {
			n = 1 + raknetIndexLen
		}
		if n > len(rest) {
			return false
		}
		rest = rest[n:]
	}
	return count == 0 && len(rest) == 0
}

// raknetFrameLen returns the size of the frame at the start of b.
func raknetFrameLen(b []byte) (int, bool) {
	if len(b) < 3 {
		return 0, false
	}
	bits := int(b[1])<<8 | int(b[2])
	if bits == 0 {
		return 0, false
	}
	n := 3 + (bits+7)/8
	switch reliability := b[0] >> 5; reliability {
	case 2, 5, 6: // reliable
		n += raknetIndexLen
	case 1: // unreliable sequenced
		n += raknetIndexLen + raknetIndexLen + 1
	case 3, 7: // reliable ordered
		n += raknetIndexLen + raknetIndexLen + 1
	case 4: // reliable sequenced
		n += 3*raknetIndexLen + 1
	}
	if b[0]&raknetFlagSplit != 0 {
		n += raknetSplitInfoLen
	}
	return n, true
}

func raknetOffline(b []byte) bool {
	for _, off := range []int{raknetMagicAfterID, raknetMagicAfterTime} {
		if len(b) >= off+len(raknetOfflineMagic) && bytes.Equal(b[off:off+len(raknetOfflineMagic)], raknetOfflineMagic) {
			return true
		}
	}
	return false
}

// raknetPrefixedMinLen is the size from which a first datagram counts as
// padded to the path MTU, as RakNet pads its first connection request.
const raknetPrefixedMinLen = 1200

// raknetPrefixedOffline reports whether b is a datagram padded to the path
// MTU that carries the offline magic after an 8-byte time, a 16-byte field
// or a 31-byte header of its own. Roblox games send such connection
// requests, and nDPI 4.x (protocols/raknet.c) names these flows RakNet from
// their first datagram.
func raknetPrefixedOffline(b []byte) bool {
	if len(b) < raknetPrefixedMinLen {
		return false
	}
	for _, off := range []int{raknetMagicAfterID, raknetMagicAfterTime, 17, 32} {
		if bytes.Equal(b[off:off+len(raknetOfflineMagic)], raknetOfflineMagic) {
			return true
		}
	}
	return false
}
