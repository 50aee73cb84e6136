package dpi

// PostgreSQL recognises the start of a PostgreSQL connection (the
// PostgreSQL documentation, "Frontend/Backend Protocol", "Message
// Formats"). The client's first message has no type byte, only a 32-bit
// length that counts itself and a 32-bit code. The code is protocol 3.0
// (196608) for a StartupMessage, or the SSLRequest, GSSENCRequest or
// CancelRequest code.
type PostgreSQL struct{}

// Name returns "PostgreSQL".
func (PostgreSQL) Name() string { return "PostgreSQL" }

// Ports returns PostgreSQL's TCP port.
func (PostgreSQL) Ports() (tcp, udp []uint16) { return []uint16{5432}, nil }

const (
	pgProtocol3    = 196608
	pgCancel       = 80877102
	pgSSLRequest   = 80877103
	pgGSSENCReq    = 80877104
	pgMaxStartup   = 10000
	pgMinStartup   = 8
	pgCancelLength = 16
)

// Inspect checks the client's first message.
func (PostgreSQL) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if p.Dir != ClientToServer {
		return NeedMore
	}
	b := f.Stream(ClientToServer)
	n, ok1 := u32At(b, 0)
	code, ok2 := u32At(b, 4)
	if !ok1 || !ok2 || int64(n) != int64(len(b)) || n < pgMinStartup || n > pgMaxStartup {
		return NotMine
	}
	switch {
	case code == pgProtocol3, code == pgSSLRequest && n == 8, code == pgGSSENCReq && n == 8,
		code == pgCancel && n == pgCancelLength:
		return claim(f, "PostgreSQL", "")
	}
	return NotMine
}
