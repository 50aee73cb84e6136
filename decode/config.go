package decode

import "time"

// Config sets the decoder's limits. Zero fields take the defaults below.
type Config struct {
	// MaxTunnelDepth is how many tunnel headers Decode follows before it
	// rejects a frame as ReasonTunnelTooDeep.
	MaxTunnelDepth int
	// MaxFragmentDatagrams is how many fragmented datagrams are reassembled
	// at once. When a new one arrives with all slots taken, the oldest is
	// evicted.
	MaxFragmentDatagrams int
	// MaxFragmentBytes caps the bytes buffered for all datagrams in flight.
	MaxFragmentBytes int
	// FragmentTimeout is the time, in packet time, that a datagram may wait
	// for its missing fragments after its first fragment arrived.
	FragmentTimeout time.Duration
	// AcceptShortIP decodes an IP packet whose header claims more bytes
	// than the frame carried on the wire from the bytes there are. By
	// default such a frame is rejected as lying about its length, as
	// nDPI's reader does. A frame cut short by the capture's snapshot
	// length is always decoded from what was captured.
	AcceptShortIP bool
}

// Defaults for Config. The fragment timeout is the 30 s that Linux uses
// (net.ipv4.ipfrag_time). With these sizes a decoder buffers at most 4 MiB
// of fragments in flight, and keeps up to 16 KiB per idle slot for reuse.
const (
	DefaultMaxTunnelDepth       = 4
	DefaultMaxFragmentDatagrams = 256
	DefaultMaxFragmentBytes     = 4 << 20
	DefaultFragmentTimeout      = 30 * time.Second
)

func (c Config) withDefaults() Config {
	if c.MaxTunnelDepth <= 0 {
		c.MaxTunnelDepth = DefaultMaxTunnelDepth
	}
	if c.MaxFragmentDatagrams <= 0 {
		c.MaxFragmentDatagrams = DefaultMaxFragmentDatagrams
	}
	if c.MaxFragmentBytes <= 0 {
		c.MaxFragmentBytes = DefaultMaxFragmentBytes
	}
	if c.FragmentTimeout <= 0 {
		c.FragmentTimeout = DefaultFragmentTimeout
	}
	return c
}
