package dpi

import "github.com/flowlens/flowlens/decode"

// stream is one direction's TCP byte stream, put back in sequence order
// from its segments (RFC 9293 section 3.4 numbering). It keeps the bytes
// from the start of the connection up to a cap, which is all a handshake
// dissector needs; later bytes are passed through unbuffered.
type stream struct {
	buf []byte
	// next is the sequence number of the next in-order byte.
	next uint32
	// dropped counts bytes lost to the caps.
	dropped uint32
	started bool
	fromSYN bool
	// released is set once the dissector no longer reads the stream: its
	// later segments are handed over unbuffered, as past the cap.
	released bool
	// held keeps the segments that arrived ahead of a gap. Few streams
	// have one, so it is allocated on first use to keep every flow's
	// inspection state small.
	held *heldSegments
}

// heldSegments are out-of-order segments waiting for the bytes before them.
type heldSegments struct {
	segments []segment
	// bytes counts the payload bytes of segments.
	bytes int
}

type segment struct {
	seq  uint32
	data []byte
}

// seqLess compares sequence numbers modulo 2^32.
func seqLess(a, b uint32) bool { return int32(a-b) < 0 }

// add takes one segment and returns the bytes it made available in order:
// its own new bytes, plus any held segments that now follow on. The
// result aliases the stream's buffer or the segment and is valid until
// the next call. capBytes bounds both the buffer and the held segments.
func (s *stream) add(seq uint32, flags uint8, payload []byte, capBytes int) []byte {
	if s.released {
		capBytes = 0
	}
	syn := flags&decode.TCPFlagSYN != 0
	if !s.started {
		if !syn && len(payload) == 0 {
			// A bare ACK or keep-alive (which carries seq = next-1) must not
			// set the numbering, or the first data would look like a gap.
			return nil
		}
		s.started = true
		s.next = seq
		if syn {
			s.fromSYN = true
			s.next = seq + 1
		}
	} else if syn && len(s.buf) == 0 && s.held == nil {
		// A SYN (or a second SYN-ACK with a new sequence number) before any
		// data: restart numbering from it.
		s.fromSYN, s.next = true, seq+1
	}
	if flags&decode.TCPFlagSYN != 0 {
		seq++
	}
	if len(payload) == 0 {
		return nil
	}
	if seqLess(s.next, seq) {
		s.hold(seq, payload, capBytes)
		return nil
	}
	// Trim what was already delivered (a retransmission or an overlap).
	if d := s.next - seq; d > 0 {
		if int(d) >= len(payload) {
			return nil
		}
		payload = payload[d:]
	}
	start := len(s.buf)
	s.appendInOrder(payload, capBytes)
	s.drainPending(capBytes)
	if len(s.buf) == start {
		// Over the cap: hand over the segment itself, unbuffered.
		return payload
	}
	return s.buf[start:]
}

func (s *stream) appendInOrder(data []byte, capBytes int) {
	s.next += uint32(len(data))
	room := capBytes - len(s.buf)
	if room <= 0 {
		s.dropped += uint32(len(data))
		return
	}
	if len(data) > room {
		s.dropped += uint32(len(data) - room)
		data = data[:room]
	}
	s.buf = append(s.buf, data...)
}

func (s *stream) hold(seq uint32, payload []byte, capBytes int) {
	if len(payload) > capBytes {
		s.dropped += uint32(len(payload))
		return
	}
	if s.held == nil {
		s.held = &heldSegments{}
	}
	h := s.held
	if h.bytes+len(payload) > capBytes || len(h.segments) >= 64 {
		s.dropped += uint32(len(payload))
		return
	}
	h.segments = append(h.segments, segment{seq: seq, data: append([]byte(nil), payload...)})
	h.bytes += len(payload)
}

// drainPending appends the held segments that the stream has reached.
func (s *stream) drainPending(capBytes int) {
	h := s.held
	if h == nil {
		return
	}
	for progress := true; progress && len(h.segments) > 0; {
		progress = false
		for i := 0; i < len(h.segments); i++ {
			sg := h.segments[i]
			if seqLess(s.next, sg.seq) {
				continue
			}
			if end := sg.seq + uint32(len(sg.data)); seqLess(s.next, end) {
				s.appendInOrder(sg.data[s.next-sg.seq:], capBytes)
			}
			h.bytes -= len(sg.data)
			h.segments = append(h.segments[:i], h.segments[i+1:]...)
			progress = true
			i--
		}
	}
}

// release frees the stream's buffers for good.
func (s *stream) release() {
	s.buf, s.held, s.released = nil, nil, true
}
