package dpi

import "encoding/binary"

// quicCryptoCap is the most CRYPTO stream data kept per flow. Client
// Hellos with post-quantum key shares reach about 2 KB, and gQUIC CHLOs
// fit one packet, so 16 KiB leaves room for large extensions.
const quicCryptoCap = 16 << 10

// quicMaxSpans bounds the number of separate byte ranges the reassembler
// tracks before the first gap is filled.
const quicMaxSpans = 16

// quicSpan is a received byte range [start, end) of the CRYPTO stream.
type quicSpan struct{ start, end int }

// quicCrypto reassembles one direction's CRYPTO stream by offset: frames
// may arrive out of order, overlap, or repeat across packets and
// datagrams (RFC 9000, section 19.6).
type quicCrypto struct {
	data  []byte
	spans []quicSpan
	// dropped counts bytes rejected for lying past quicCryptoCap or for
	// needing more than quicMaxSpans ranges.
	dropped int
}

// add stores data at offset. Bytes past the cap are counted and dropped.
func (s *quicCrypto) add(offset uint64, data []byte) {
	if offset >= quicCryptoCap {
		s.dropped += len(data)
		return
	}
	start := int(offset)
	if room := quicCryptoCap - start; len(data) > room {
		s.dropped += len(data) - room
		data = data[:room]
	}
	if len(data) == 0 {
		return
	}
	end := start + len(data)
	if !s.insertSpan(quicSpan{start, end}) {
		s.dropped += len(data)
		return
	}
	if len(s.data) < end {
		s.data = append(s.data, make([]byte, end-len(s.data))...)
	}
	copy(s.data[start:end], data)
}

// insertSpan merges r into the sorted, disjoint span list. It returns
// false when r would need a span beyond quicMaxSpans.
func (s *quicCrypto) insertSpan(r quicSpan) bool {
	i := 0
	for i < len(s.spans) && s.spans[i].end < r.start {
		i++
	}
	j := i
	for j < len(s.spans) && s.spans[j].start <= r.end {
		r.start = min(r.start, s.spans[j].start)
		r.end = max(r.end, s.spans[j].end)
		j++
	}
	if i == j && len(s.spans) >= quicMaxSpans {
		return false
	}
	if i == j {
		s.spans = append(s.spans, quicSpan{})
		copy(s.spans[i+1:], s.spans[i:])
	} else {
		s.spans = append(s.spans[:i+1], s.spans[j:]...)
	}
	s.spans[i] = r
	return true
}

// contiguous returns the stream bytes received without a gap from offset 0.
func (s *quicCrypto) contiguous() []byte {
	if len(s.spans) == 0 || s.spans[0].start != 0 {
		return nil
	}
	return s.data[:s.spans[0].end]
}

// clientHello returns the body of the TLS Client Hello once the stream
// holds all of it: a handshake message is a type byte (1 for ClientHello)
// and a 24-bit length (RFC 8446, section 4).
func (s *quicCrypto) clientHello() (body []byte, complete bool) {
	b := s.contiguous()
	if len(b) < 4 || b[0] != 1 {
		return nil, false
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if len(b) < 4+n {
		return nil, false
	}
	return b[4 : 4+n], true
}

// chlo returns Google's CHLO message once the stream holds all of it.
func (s *quicCrypto) chlo() (msg []byte, complete bool) {
	return parseCHLO(s.contiguous())
}

// parseCHLO returns the CHLO message at the start of b if b holds all of
// it: the tag "CHLO", a little-endian tag count and two padding bytes,
// then per tag its name and the little-endian end offset of its value,
// then the values.
func parseCHLO(b []byte) (msg []byte, complete bool) {
	if len(b) < 8 || string(b[:4]) != "CHLO" {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint16(b[4:6]))
	valuesStart := 8 + 8*n
	if len(b) < valuesStart {
		return nil, false
	}
	var end uint32
	if n > 0 {
		end = binary.LittleEndian.Uint32(b[valuesStart-4:])
	}
	if uint64(len(b)) < uint64(valuesStart)+uint64(end) {
		return nil, false
	}
	return b[:valuesStart+int(end)], true
}

// IETF QUIC frame types that may appear in Initial packets, and those the
// walk skips by their length (RFC 9000, section 19).
const (
	quicFramePadding          = 0x00
	quicFramePing             = 0x01
	quicFrameACK              = 0x02
	quicFrameACKECN           = 0x03
	quicFrameCrypto           = 0x06
	quicFrameNewToken         = 0x07
	quicFrameConnectionClose  = 0x1c
	quicFrameApplicationClose = 0x1d
)

// walkQUICFrames walks the frames of a decrypted Initial packet and feeds
// CRYPTO frames to s. It returns false on a malformed or unknown frame;
// CRYPTO data read before that point is kept.
func walkQUICFrames(plain []byte, s *quicCrypto) bool {
	c := quicCursor{b: plain}
	for c.len() > 0 {
		t, ok := c.varint()
		if !ok || !skipOrReadQUICFrame(&c, t, s) {
			return false
		}
	}
	return true
}

// skipOrReadQUICFrame reads one frame's fields after its type t.
func skipOrReadQUICFrame(c *quicCursor, t uint64, s *quicCrypto) bool {
	switch {
	case t == quicFramePadding, t == quicFramePing, t == 0x1e: // 0x1e: HANDSHAKE_DONE
		return true
	case t == quicFrameACK, t == quicFrameACKECN:
		return skipQUICAck(c, t == quicFrameACKECN)
	case t == quicFrameCrypto:
		offset, ok1 := c.varint()
		data, ok2 := c.varintBytes()
		if !ok1 || !ok2 {
			return false
		}
		s.add(offset, data)
		return true
	case t == quicFrameNewToken:
		_, ok := c.varintBytes()
		return ok
	case t >= 0x08 && t <= 0x0f:
		return skipQUICStream(c, t)
	case t == quicFrameConnectionClose, t == quicFrameApplicationClose:
		return skipQUICClose(c, t == quicFrameConnectionClose)
	case t == 0x18:
		return skipQUICNewConnectionID(c)
	case t == 0x1a, t == 0x1b: // PATH_CHALLENGE, PATH_RESPONSE
		_, ok := c.bytes(8)
		return ok
	case t >= 0x04 && t <= 0x19:
		return skipQUICVarints(c, quicFrameVarints[t-0x04])
	}
	return false
}

// quicFrameVarints is the number of varint fields of the frames from
// RESET_STREAM (0x04) to RETIRE_CONNECTION_ID (0x19) whose fields are all
// varints. The entries of the other frames in that range are unused.
var quicFrameVarints = [...]int{
	3,                            // 0x04 RESET_STREAM
	2,                            // 0x05 STOP_SENDING
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x06..0x0f: CRYPTO, NEW_TOKEN, STREAM
	1, // 0x10 MAX_DATA
	2, // 0x11 MAX_STREAM_DATA
	1, // 0x12 MAX_STREAMS (bidi)
	1, // 0x13 MAX_STREAMS (uni)
	1, // 0x14 DATA_BLOCKED
	2, // 0x15 STREAM_DATA_BLOCKED
	1, // 0x16 STREAMS_BLOCKED (bidi)
	1, // 0x17 STREAMS_BLOCKED (uni)
	0, // 0x18 NEW_CONNECTION_ID
	1, // 0x19 RETIRE_CONNECTION_ID
}

func skipQUICVarints(c *quicCursor, n int) bool {
	for range n {
		if _, ok := c.varint(); !ok {
			return false
		}
	}
	return true
}

// skipQUICAck skips an ACK frame: largest acknowledged, delay, range
// count, first range, then a gap and a length per range, then three ECN
// counts for type 0x03 (RFC 9000, section 19.3).
func skipQUICAck(c *quicCursor, ecn bool) bool {
	if !skipQUICVarints(c, 2) {
		return false
	}
	ranges, ok := c.varint()
	if !ok || ranges > uint64(c.len()) {
		return false
	}
	if !skipQUICVarints(c, 1+2*int(ranges)) {
		return false
	}
	if ecn {
		return skipQUICVarints(c, 3)
	}
	return true
}

// skipQUICStream skips a STREAM frame. The type's bits 0x04 and 0x02 mark
// the presence of its offset and length fields.
func skipQUICStream(c *quicCursor, t uint64) bool {
	fields := 1
	if t&0x04 != 0 {
		fields++
	}
	if !skipQUICVarints(c, fields) {
		return false
	}
	if t&0x02 == 0 {
		c.off = len(c.b)
		return true
	}
	_, ok := c.varintBytes()
	return ok
}

// skipQUICClose skips CONNECTION_CLOSE; the transport variant (0x1c)
// carries the type of the frame that caused the error.
func skipQUICClose(c *quicCursor, transport bool) bool {
	n := 1
	if transport {
		n = 2
	}
	if !skipQUICVarints(c, n) {
		return false
	}
	_, ok := c.varintBytes()
	return ok
}

// skipQUICNewConnectionID skips sequence number, retire prior to, the
// connection id and the 16-byte stateless reset token.
func skipQUICNewConnectionID(c *quicCursor) bool {
	if !skipQUICVarints(c, 2) {
		return false
	}
	if _, ok := c.bytes8(); !ok {
		return false
	}
	_, ok := c.bytes(16)
	return ok
}

// walkGoogleFrames walks the frames of a decrypted Q050 or T05x Initial
// packet. These versions keep Google's frame types: PADDING (0x00) fills
// the rest of the packet, PING is 0x07, and 0x08 is the CRYPTO frame with
// varint offset and length. An ACK frame (0x40 to 0x7f) ends the walk, as
// its layout depends on state the dissector does not keep.
func walkGoogleFrames(plain []byte, s *quicCrypto) bool {
	c := quicCursor{b: plain}
	for c.len() > 0 {
		t, _ := c.u8()
		switch t {
		case 0x00:
			return true
		case 0x07:
		case 0x08:
			offset, ok1 := c.varint()
			data, ok2 := c.varintBytes()
			if !ok1 || !ok2 {
				return false
			}
			s.add(offset, data)
		default:
			return false
		}
	}
	return true
}

// googleStreamData returns the data of the first STREAM frame of stream
// 1, the crypto stream, among the clear frames of a Google QUIC packet
// before Q050. Its offset is not checked: these versions send each CHLO
// whole in one packet, and a client that got a REJ sends its next CHLO at
// a later offset of the same stream.
// A STREAM frame's type byte is 1FDOOOSS. D marks a 2-byte data length,
// OOO encodes the offset's length (0, or 2 to 8 bytes), and SS is the
// stream id's length minus one. Since Q039 these fields are big-endian,
// before it little-endian. Any frame other than STREAM ends the walk.
func googleStreamData(b []byte, version uint32) ([]byte, bool) {
	c := quicCursor{b: b}
	for c.len() > 0 {
		t, _ := c.u8()
		if t&0x80 == 0 {
			return nil, false
		}
		offLen := int(t >> 2 & 0x07)
		if offLen > 0 {
			offLen++
		}
		id, ok1 := c.bytes(int(t&0x03) + 1)
		_, ok2 := c.bytes(offLen)
		if !ok1 || !ok2 {
			return nil, false
		}
		data := c.b[c.off:]
		if t&0x20 != 0 {
			n, ok := c.bytes(2)
			if !ok {
				return nil, false
			}
			if data, ok = c.bytes(int(googleUint(n, version))); !ok {
				return nil, false
			}
		} else {
			c.off = len(c.b)
		}
		if googleUint(id, version) == 1 {
			return data, true
		}
	}
	return nil, false
}

// googleUint reads a 1- to 8-byte unsigned integer in the byte order of
// a Google QUIC version.
func googleUint(b []byte, version uint32) uint64 {
	var v uint64
	for i := range b {
		if version >= quicQ039 {
			v = v<<8 | uint64(b[i])
		} else {
			v = v<<8 | uint64(b[len(b)-1-i])
		}
	}
	return v
}
