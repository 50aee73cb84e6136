package dpi

// SOCKS versions 4 and 5 open with a client message that the server
// follows with a short fixed-size reply. SOCKS 5 (RFC 1928 section 3): the client
// sends version 5, the number of methods and the methods, and the server
// replies with version 5 and the chosen method (0xff: none acceptable).
// SOCKS 4 (and 4a): the client sends version 4, command 1 or 2, port,
// address and a zero-terminated user ID, and the server replies with
// eight bytes, a zero version then a result code from 90 to 93.
const (
	socks4Version    = 4
	socks5Version    = 5
	socks4ReplyLen   = 8
	socks5ReplyLen   = 2
	socks4MinRequest = 9
	socksPort        = 1080
)

// socksState remembers which version the client's greeting used.
type socksState struct {
	version byte
}

// SOCKS recognises the SOCKS proxy protocol from the client's greeting
// and the server's reply to it.
type SOCKS struct{}

// Name returns nDPI's name for the protocol.
func (SOCKS) Name() string { return "SOCKS" }

// Ports returns the usual SOCKS port.
func (SOCKS) Ports() (tcp, udp []uint16) { return []uint16{socksPort}, nil }

// Inspect reads the client's greeting, then claims the flow when the
// server's first segment is the matching reply.
func (SOCKS) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	st := Scratch[socksState](f, "SOCKS")
	b := p.Payload
	if st.version == 0 {
		if p.Dir != ClientToServer {
			return NotMine
		}
		st.version = socksGreeting(b)
		if st.version == 0 {
			return NotMine
		}
		return NeedMore
	}
	if p.Dir == ClientToServer {
		return NotMine
	}
	if !socksReply(st.version, b) {
		return NotMine
	}
	f.SetResult("SOCKS", "")
	return Done
}

// socksGreeting returns the version of a client's first message, or 0
// when it is not one.
func socksGreeting(b []byte) byte {
	switch {
	case len(b) >= 3 && b[0] == socks5Version && b[1] > 0 && int(b[1]) == len(b)-2:
		return socks5Version
	case len(b) >= socks4MinRequest && b[0] == socks4Version && (b[1] == 1 || b[1] == 2) && b[len(b)-1] == 0:
		return socks4Version
	}
	return 0
}

func socksReply(version byte, b []byte) bool {
	if version == socks5Version {
		return len(b) == socks5ReplyLen && b[0] == socks5Version && (b[1] <= 0x02 || b[1] == 0xff)
	}
	return len(b) == socks4ReplyLen && b[0] == 0 && b[1] >= 90 && b[1] <= 93
}
