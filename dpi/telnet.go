package dpi

// Telnet option negotiation (RFC 854 and RFC 855): IAC (255) followed by
// WILL, WONT, DO or DONT (251 to 254) and an option code, or by SB (250)
// to start a subnegotiation.
const (
	telnetIAC  = 255
	telnetSB   = 250
	telnetWILL = 251
	telnetDONT = 254
	telnetPort = 23
	// telnetMinCommands is how many negotiations must open a segment that
	// goes on with other bytes: clients and servers send several at once,
	// which other protocols rarely start with.
	telnetMinCommands = 2
)

// Telnet recognises Telnet sessions from the option negotiation that
// opens them.
type Telnet struct{}

// Name returns nDPI's name for the protocol.
func (Telnet) Name() string { return "Telnet" }

// Ports returns Telnet's port.
func (Telnet) Ports() (tcp, udp []uint16) { return []uint16{telnetPort}, nil }

// Inspect claims a TCP flow whose first segment starts with negotiations,
// or is made of them alone.
func (Telnet) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	n, rest := telnetCommands(p.Payload)
	if n < telnetMinCommands && (n == 0 || rest > 0) {
		return NotMine
	}
	f.SetResult("Telnet", "")
	return Done
}

// telnetCommands counts the three-byte negotiations at the start of b, a
// subnegotiation that follows them counting as one more, and returns the
// number of bytes after the negotiations.
func telnetCommands(b []byte) (n, rest int) {
	for len(b) >= 3 && b[0] == telnetIAC && b[1] >= telnetWILL && b[1] <= telnetDONT {
		n++
		b = b[3:]
	}
	if n > 0 && len(b) >= 2 && b[0] == telnetIAC && b[1] == telnetSB {
		n++
	}
	return n, len(b)
}
