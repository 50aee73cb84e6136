// Package capture reads packets from capture files (pcap, pcapng, either
// gzip-compressed) and from live Linux interfaces, behind one Source
// interface.
package capture

import (
	"errors"
	"fmt"
)

// LinkType is a link-layer header type, numbered as pcap's LINKTYPE_ values.
type LinkType uint16

// Link types flowlens decodes. Values are the registered LINKTYPE_ numbers.
const (
	LinkTypeNull      LinkType = 0   // BSD loopback: a 4-byte host-order family
	LinkTypeEthernet  LinkType = 1   // IEEE 802.3 Ethernet
	LinkTypeRaw       LinkType = 101 // raw IPv4 or IPv6, told apart by the version nibble
	LinkTypeLoop      LinkType = 108 // OpenBSD loopback: a 4-byte network-order family
	LinkTypeLinuxSLL  LinkType = 113 // Linux cooked capture v1
	LinkTypeIPv4      LinkType = 228 // raw IPv4
	LinkTypeIPv6      LinkType = 229 // raw IPv6
	LinkTypeLinuxSLL2 LinkType = 276 // Linux cooked capture v2
)

// Packet is one captured frame. A Source reuses Data between calls, so a
// caller that keeps the bytes past the next ReadPacket must copy them.
type Packet struct {
	Data          []byte
	CaptureLength int
	WireLength    int
	LinkType      LinkType
	// Timestamp is the capture time in nanoseconds since the Unix epoch.
	Timestamp int64
	// Offset is the record's byte offset in the (uncompressed) file, for
	// error messages; 0 for live sources.
	Offset int64
}

// Source yields packets in capture order.
type Source interface {
	// ReadPacket fills p with the next packet. It returns io.EOF at the end
	// of a file, a *FormatError for damaged input, ErrTimeout when a live
	// source saw no packet for a while, and ErrClosed once Close was called
	// on a live source.
	ReadPacket(p *Packet) error
	// Close releases the source. It is safe to call from another goroutine
	// to stop a live capture.
	Close() error
}

// Stats are the counters of a live source.
type Stats struct {
	Packets uint64 // packets delivered by the kernel
	Drops   uint64 // packets the kernel dropped because the ring was full
}

// StatsSource is a Source that can report kernel counters.
type StatsSource interface {
	Source
	Stats() (Stats, error)
}

// ErrClosed is returned by ReadPacket after Close.
var ErrClosed = errors.New("capture: source closed")

// ErrTimeout is returned by ReadPacket of a live source when no packet
// arrived within its poll timeout. It is not a failure: it gives the
// reader a chance to hand over what it has batched, and the next call
// waits again.
var ErrTimeout = errors.New("capture: no packet within the poll timeout")

// FormatError reports damaged capture input at a byte offset.
type FormatError struct {
	Path   string
	Offset int64
	Reason string
	// Truncated is true when the file ends inside a record: the packets
	// before it are good and the caller may warn and carry on.
	Truncated bool
	// Compressed is true when the file is gzip-compressed: Offset then
	// counts bytes of the decompressed data.
	Compressed bool
}

func (e *FormatError) Error() string {
	if e.Compressed {
		return fmt.Sprintf("capture: %s at byte offset %d of the data decompressed from %q", e.Reason, e.Offset, e.Path)
	}
	return fmt.Sprintf("capture: %s at byte offset %d of %q", e.Reason, e.Offset, e.Path)
}
