package capture

import "time"

// LiveConfig configures a live capture. Zero fields take the defaults
// below.
type LiveConfig struct {
	// SnapLen is the maximum number of bytes kept of each packet.
	// Default: 262144 (256 KiB), libpcap's maximum.
	SnapLen int
	// RingSize is the size in bytes of the memory-mapped ring the kernel
	// writes packets to. Default: 64 MiB.
	RingSize int
	// Filter is a filter in tcpdump's syntax, run in the kernel. Empty
	// means every packet.
	Filter string
	// PollTimeout is the longest a ReadPacket waits before it checks
	// whether Close was called. Default: 100 ms.
	PollTimeout time.Duration
}

// Defaults of LiveConfig.
const (
	DefaultSnapLen     = maxCaptureLength
	DefaultRingSize    = 64 << 20
	DefaultPollTimeout = 100 * time.Millisecond
)

// withDefaults returns cfg with its zero fields set to the defaults.
func (cfg LiveConfig) withDefaults() LiveConfig {
	if cfg.SnapLen == 0 {
		cfg.SnapLen = DefaultSnapLen
	}
	if cfg.RingSize == 0 {
		cfg.RingSize = DefaultRingSize
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	return cfg
}
