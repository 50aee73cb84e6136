package dpi

import "github.com/flowlens/flowlens/decode"

// stream is one direction's TCP byte stream, put back in sequence order
// from its segments (RFC 9293 section 3.4 numbering). It keeps the bytes
// from the start of the connection up to a cap, which is all a handshake
// dissector needs; later bytes are passed through unbuffered.
type stream struct {
	buf []byte
	// next is the sequence number of the next in-order byte.
	next    uint32
	started bool
	fromSYN bool
	// pending holds segments that arrived ahead of a gap.
	pending []segment
	// pendingBytes counts the bytes held in pending.
	pendingBytes int
	// dropped counts bytes lost to the caps.
	dropped int
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
	} else if syn && len(s.buf) == 0 && len(s.pending) == 0 {
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
		s.dropped += len(data)
		return
	}
	if len(data) > room {
		s.dropped += len(data) - room
		data = data[:room]
	}
	s.buf = append(s.buf, data...)
}

func (s *stream) hold(seq uint32, payload []byte, capBytes int) {
	if s.pendingBytes+len(payload) > capBytes || len(s.pending) >= 64 {
		s.dropped += len(payload)
		return
	}
	s.pending = append(s.pending, segment{seq: seq, data: append([]byte(nil), payload...)})
	s.pendingBytes += len(payload)
}

// drainPending appends the held segments that the stream has reached.
func (s *stream) drainPending(capBytes int) {
	for progress := true; progress && len(s.pending) > 0; {
		progress = false
		for i := 0; i < len(s.pending); i++ {
			sg := s.pending[i]
			if seqLess(s.next, sg.seq) {
				continue
			}
			if end := sg.seq + uint32(len(sg.data)); seqLess(s.next, end) {
				s.appendInOrder(sg.data[s.next-sg.seq:], capBytes)
			}
			s.pendingBytes -= len(sg.data)
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			progress = true
			i--
		}
	}
}

// release frees the stream's memory once inspection is over.
func (s *stream) release() {
	s.buf, s.pending, s.pendingBytes = nil, nil, 0
}
