package dpi

import (
	"testing"

	"github.com/flowlens/flowlens/decode"
)

type seg struct {
	seq   uint32
	flags uint8
	data  string
}

func TestStreamReassembly(t *testing.T) {
	const isn = 1000
	tests := []struct {
		name     string
		capBytes int
		segs     []seg
		want     string
		fromSYN  bool
	}{
		{"in order", 100, []seg{{isn, decode.TCPFlagSYN, ""}, {isn + 1, 0, "hello "}, {isn + 7, 0, "world"}}, "hello world", true},
		{"retransmission", 100, []seg{{isn, decode.TCPFlagSYN, ""}, {isn + 1, 0, "hello "}, {isn + 1, 0, "hello "}, {isn + 7, 0, "world"}}, "hello world", true},
		{"overlap", 100, []seg{{isn, decode.TCPFlagSYN, ""}, {isn + 1, 0, "hello "}, {isn + 4, 0, "lo world"}}, "hello world", true},
		{"out of order", 100, []seg{{isn, decode.TCPFlagSYN, ""}, {isn + 7, 0, "world"}, {isn + 1, 0, "hello "}}, "hello world", true},
		{"mid-stream start", 100, []seg{{5000, 0, "abc"}, {5003, 0, "def"}}, "abcdef", false},
		{"capped", 8, []seg{{isn, decode.TCPFlagSYN, ""}, {isn + 1, 0, "hello "}, {isn + 7, 0, "world"}}, "hello wo", true},
		{"sequence wrap", 100, []seg{{0xfffffffd, decode.TCPFlagSYN, ""}, {0xfffffffe, 0, "ab"}, {0, 0, "cd"}}, "abcd", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s stream
			for _, sg := range tt.segs {
				s.add(sg.seq, sg.flags, []byte(sg.data), tt.capBytes)
			}
			if got := string(s.buf); got != tt.want {
				t.Errorf("stream = %q, want %q", got, tt.want)
			}
			if s.fromSYN != tt.fromSYN {
				t.Errorf("fromSYN = %v, want %v", s.fromSYN, tt.fromSYN)
			}
		})
	}
}

func TestStreamAddReturnsNewBytes(t *testing.T) {
	var s stream
	s.add(1, decode.TCPFlagSYN, nil, 100)
	if got := s.add(9, 0, []byte("later"), 100); len(got) != 0 {
		t.Fatalf("segment ahead of a gap returned %q, want nothing", got)
	}
	if got := string(s.add(2, 0, []byte("1234567"), 100)); got != "1234567later" {
		t.Errorf("filling the gap returned %q, want %q", got, "1234567later")
	}
	if got := s.add(2, 0, []byte("1234567"), 100); len(got) != 0 {
		t.Errorf("retransmission returned %q, want nothing", got)
	}
}

func TestStreamIgnoresLeadingKeepAlive(t *testing.T) {
	var s stream
	s.add(4999, decode.TCPFlagACK, nil, 100) // keep-alive: seq is next-1
	s.add(5000, decode.TCPFlagACK, []byte("GET /"), 100)
	if got := string(s.buf); got != "GET /" {
		t.Errorf("stream = %q, want %q", got, "GET /")
	}
}

func TestStreamRestartsOnSecondSynAck(t *testing.T) {
	var s stream
	s.add(100, decode.TCPFlagSYN|decode.TCPFlagACK, nil, 100)
	s.add(9000, decode.TCPFlagSYN|decode.TCPFlagACK, nil, 100)
	s.add(9001, decode.TCPFlagACK, []byte("hello"), 100)
	if got := string(s.buf); got != "hello" {
		t.Errorf("stream = %q, want %q after the second SYN-ACK", got, "hello")
	}
}

func TestStreamReleasedPassesThrough(t *testing.T) {
	var s stream
	s.add(1000, decode.TCPFlagSYN, nil, 100)
	s.add(1001, 0, []byte("head"), 100)
	s.add(1010, 0, []byte("gap"), 100)
	s.release()

	if got := string(s.add(1005, 0, []byte("body"), 100)); got != "body" {
		t.Errorf("add after release = %q, want the segment itself", got)
	}
	if s.buf != nil {
		t.Errorf("buffer after release = %q, want none", s.buf)
	}
	if got := s.add(1020, 0, []byte("later"), 100); got != nil {
		t.Errorf("add ahead of a gap after release = %q, want nothing", got)
	}
	if s.held != nil {
		t.Errorf("held segments after release = %d, want none", len(s.held.segments))
	}
}
