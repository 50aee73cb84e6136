package main

import (
	"bufio"
	"encoding/binary"
	"os"
)

// Ethernet types that writeCopies looks through or rewrites.
const (
	etherTypeIPv4  = 0x0800
	etherTypeIPv6  = 0x86dd
	etherTypeVLAN  = 0x8100
	etherTypeQinQ  = 0x88a8
	etherHeaderLen = 14
)

// writeCopies writes copies repetitions of frames to a microsecond pcap
// file at path and returns the packets and bytes written.
func writeCopies(path string, frames []frame, span int64, copies int) (int, int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	size := int64(24)
	writeFileHeader(w)
	// The timeline starts on 2024-01-01 so that certificates and other
	// dated metadata are read as of a fixed day.
	const start = int64(1704067200) * 1e9
	buf := make([]byte, 0, 1<<16)
	n := 0
	for c := 0; c < copies; c++ {
		base := start + int64(c)*span
		for i := range frames {
			fr := &frames[i]
			buf = append(buf[:0], fr.data...)
			shiftAddresses(buf, byte(c))
			writeRecord(w, base+fr.ts, fr.wire, buf)
			size += 16 + int64(len(buf))
			n++
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, 0, err
	}
	return n, size, f.Close()
}

func writeFileHeader(w *bufio.Writer) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4) // microsecond pcap
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144) // snaplen
	binary.LittleEndian.PutUint32(h[20:], 1)      // LINKTYPE_ETHERNET
	w.Write(h[:])
}

func writeRecord(w *bufio.Writer, ts int64, wire uint32, data []byte) {
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(ts/1e9))
	binary.LittleEndian.PutUint32(h[4:], uint32(ts%1e9/1e3))
	binary.LittleEndian.PutUint32(h[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(h[12:], max(wire, uint32(len(data))))
	w.Write(h[:])
	w.Write(data)
}

// shiftAddresses adds delta to the last byte of both addresses of the
// outermost IPv4 or IPv6 header of an Ethernet frame, after any 802.1Q
// tags. Other frames are left as they are.
func shiftAddresses(b []byte, delta byte) {
	if delta == 0 || len(b) < etherHeaderLen {
		return
	}
	off := 12
	etherType := binary.BigEndian.Uint16(b[off:])
	for (etherType == etherTypeVLAN || etherType == etherTypeQinQ) && len(b) >= off+6 {
		off += 4
		etherType = binary.BigEndian.Uint16(b[off:])
	}
	ip := b[off+2:]
	switch {
	case etherType == etherTypeIPv4 && len(ip) >= 20:
		ip[15] += delta
		ip[19] += delta
	case etherType == etherTypeIPv6 && len(ip) >= 40:
		ip[23] += delta
		ip[39] += delta
	}
}
