package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The pcap format, as libpcap writes it and as described in the IETF
// draft "PCAP Capture File Format" (draft-ietf-opsawg-pcap): a 24-byte
// file header, then per packet a 16-byte record header and the captured
// bytes. The magic number gives the byte order and the timestamp unit.
const (
	pcapMagicMicro       = 0xa1b2c3d4
	pcapMagicNano        = 0xa1b23c4d
	pcapFileHeaderLen    = 24
	pcapRecordHeaderLen  = 16
	pcapLinkTypeMask     = 0x0000ffff // LinkType field: the upper bits carry FCS information
	nanosecondsPerSecond = 1_000_000_000
)

// pcapByteOrder returns the byte order of a pcap file from its magic
// number and whether its timestamps are in nanoseconds.
func pcapByteOrder(magic []byte) (order binary.ByteOrder, nanos, ok bool) {
	if len(magic) < 4 {
		return nil, false, false
	}
	for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch o.Uint32(magic) {
		case pcapMagicMicro:
			return o, false, true
		case pcapMagicNano:
			return o, true, true
		}
	}
	return nil, false, false
}

// pcapReader reads a pcap file. It reuses one buffer for packet data.
type pcapReader struct {
	s       *stream
	order   binary.ByteOrder
	nanos   bool
	link    LinkType
	snaplen uint32
	// pending is the error to return after a truncated oversized record
	// was delivered.
	pending error
	header  [pcapRecordHeaderLen]byte
	buf     []byte
}

func newPcapReader(s *stream) (*pcapReader, error) {
	var fh [pcapFileHeaderLen]byte
	if _, err := s.readFull(fh[:]); err != nil {
		return nil, s.fail(0, "the pcap file header", err)
	}

	order, nanos, _ := pcapByteOrder(fh[:4])
	r := &pcapReader{
		s:       s,
		order:   order,
		nanos:   nanos,
		snaplen: order.Uint32(fh[16:20]),
		link:    LinkType(order.Uint32(fh[20:24]) & pcapLinkTypeMask),
	}
	if major := order.Uint16(fh[4:6]); major != 2 {
		return nil, s.formatError(4, "unsupported pcap major version %d; expected 2", major)
	}
	return r, nil
}

// ReadPacket reads the next record. Data points into a buffer that the
// next call overwrites.
func (r *pcapReader) ReadPacket(p *Packet) error {
	if r.pending != nil {
		err := r.pending
		r.pending = nil
		return err
	}
	start := r.s.off
	n, err := r.s.readFull(r.header[:])
	if n == 0 && errors.Is(err, io.EOF) {
		return io.EOF
	}
	if err != nil {
		return r.s.fail(start, "a pcap record header", err)
	}

	h := r.header[:]
	seconds, fraction := r.order.Uint32(h[0:4]), r.order.Uint32(h[4:8])
	caplen, wirelen := r.order.Uint32(h[8:12]), r.order.Uint32(h[12:16])
	if caplen > maxCaptureLength || (r.snaplen != 0 && caplen > r.snaplen) {
		return r.oversized(p, start, caplen)
	}

	r.buf = grow(r.buf, int(caplen))
	if _, err := r.s.readFull(r.buf); err != nil {
		return r.s.fail(start, "a pcap record", err)
	}

	r.fill(p, start, seconds, fraction, wirelen)
	return nil
}

func (r *pcapReader) fill(p *Packet, start int64, seconds, fraction, wirelen uint32) {
	nanos := int64(fraction)
	if !r.nanos {
		nanos *= 1000
	}
	*p = Packet{
		Data:          r.buf,
		CaptureLength: len(r.buf),
		WireLength:    max(int(wirelen), len(r.buf)),
		LinkType:      r.link,
		Timestamp:     int64(seconds)*nanosecondsPerSecond + nanos,
		Offset:        start,
	}
}

// maxIPPacket is the largest IPv4 packet (RFC 791 total length), used to
// tell a truncated last record from a length that lies mid-file.
const maxIPPacket = 65535

// oversized handles a record whose captured length is beyond the maximum
// or the file's snapshot length. When the file ends inside it, the bytes
// there are are returned as a packet (as Wireshark shows them) and the next
// call reports the truncated record; when the file goes on, the length is
// a lie that leaves no way to find the next record, and reading stops.
func (r *pcapReader) oversized(p *Packet, start int64, caplen uint32) error {
	limit, what := maxCaptureLength, "the maximum"
	if r.snaplen != 0 && int(r.snaplen) < limit {
		limit, what = int(r.snaplen), "the file's snapshot length"
	}
	r.buf = grow(r.buf, limit)
	n, err := r.s.readFull(r.buf)
	if err == nil || n > maxIPPacket {
		// More bytes follow than any one IP packet holds, so they are
		// records the lying length would swallow, not a cut-off packet.
		return r.s.formatError(start, "captured length %d exceeds %s %d", caplen, what, limit)
	}
	r.buf = r.buf[:n]
	h := r.header[:]
	r.fill(p, start, r.order.Uint32(h[0:4]), r.order.Uint32(h[4:8]), r.order.Uint32(h[12:16]))
	r.pending = r.s.fail(start, fmt.Sprintf("a pcap record that claims %d captured bytes", caplen), err)
	return nil
}

// Close closes the file.
func (r *pcapReader) Close() error {
	return r.s.close()
}
