package dpi

// Config sets the limits of inspection.
type Config struct {
	// MaxPackets is how many packets with payload a flow is inspected for
	// before it is given up as unknown (or guessed by port).
	MaxPackets int
	// StreamCap bounds the reassembled TCP bytes kept per direction while a
	// flow is inspected; a TLS certificate chain must fit.
	StreamCap int
	// PortGuess names flows that no dissector claims after the protocol
	// that usually runs on their port, with confidence "port".
	PortGuess bool
	// Rules are the user's nDPI rule files; nil for none.
	Rules *Rules
}

// DefaultConfig returns the defaults: 32 packets, 64 KiB per direction,
// guessing by port on (as nDPI does by default).
func DefaultConfig() Config {
	return Config{MaxPackets: 32, StreamCap: 64 << 10, PortGuess: true}
}
