package main

import (
	"bytes"
	"testing"
)

// frameOf builds an Ethernet frame: zero MACs, the given tags and
// EtherType, then body.
func frameOf(etherTypes []uint16, body []byte) []byte {
	b := make([]byte, 12)
	for _, t := range etherTypes {
		b = append(b, byte(t>>8), byte(t))
		if t == etherTypeVLAN || t == etherTypeQinQ {
			b = append(b, 0, 1) // tag control: VLAN 1
		}
	}
	return append(b, body...)
}

func ipv4Header(src, dst [4]byte) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	copy(h[12:], src[:])
	copy(h[16:], dst[:])
	return h
}

func ipv6Header(srcLast, dstLast byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	h[23], h[39] = srcLast, dstLast
	return h
}

func TestShiftAddresses(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		delta byte
		want  []byte
	}{
		{"ipv4", frameOf([]uint16{etherTypeIPv4}, ipv4Header([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 254})), 3,
			frameOf([]uint16{etherTypeIPv4}, ipv4Header([4]byte{10, 0, 0, 4}, [4]byte{10, 0, 0, 1}))},
		{"ipv4 in qinq", frameOf([]uint16{etherTypeQinQ, etherTypeVLAN, etherTypeIPv4}, ipv4Header([4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8})), 1,
			frameOf([]uint16{etherTypeQinQ, etherTypeVLAN, etherTypeIPv4}, ipv4Header([4]byte{1, 2, 3, 5}, [4]byte{5, 6, 7, 9}))},
		{"ipv6", frameOf([]uint16{etherTypeIPv6}, ipv6Header(1, 2)), 10,
			frameOf([]uint16{etherTypeIPv6}, ipv6Header(11, 12))},
		{"copy zero unchanged", frameOf([]uint16{etherTypeIPv4}, ipv4Header([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2})), 0,
			frameOf([]uint16{etherTypeIPv4}, ipv4Header([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}))},
		{"arp unchanged", frameOf([]uint16{0x0806}, make([]byte, 28)), 5,
			frameOf([]uint16{0x0806}, make([]byte, 28))},
		{"truncated ipv4 unchanged", frameOf([]uint16{etherTypeIPv4}, make([]byte, 19)), 5,
			frameOf([]uint16{etherTypeIPv4}, make([]byte, 19))},
		{"truncated vlan tag unchanged", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, 0}, 5,
			[]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, 0}},
		{"runt frame unchanged", []byte{1, 2, 3}, 5, []byte{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bytes.Clone(tt.in)
			shiftAddresses(got, tt.delta)
			if !bytes.Equal(got, tt.want) {
				t.Errorf("shiftAddresses(%x, %d) =\n%x, want\n%x", tt.in, tt.delta, got, tt.want)
			}
		})
	}
}

// FuzzShiftAddresses checks that any frame is shifted without a panic and
// keeps its length.
func FuzzShiftAddresses(f *testing.F) {
	f.Add(frameOf([]uint16{etherTypeIPv4}, ipv4Header([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2})), byte(1))
	f.Add(frameOf([]uint16{etherTypeVLAN, etherTypeIPv6}, ipv6Header(1, 2)), byte(7))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0xa8, 0, 1, 0x81}, byte(2))
	f.Fuzz(func(t *testing.T, frame []byte, delta byte) {
		n := len(frame)
		shiftAddresses(frame, delta)
		if len(frame) != n {
			t.Errorf("frame length changed from %d to %d", n, len(frame))
		}
	})
}
