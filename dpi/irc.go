package dpi

import "bytes"

// ircRegistration lists the commands a client opens an IRC connection
// with (RFC 2812 section 3.1, and IRCv3's capability negotiation), each
// with the space that follows it. PASS and a bare USER are left out, as
// FTP clients log in with the same words.
var ircRegistration = [...]string{"NICK ", "CAP LS", "CAP REQ "}

// ircUser starts the USER command, which differs from FTP's by its four
// parameters, the last a trailing one after " :".
var ircUser = []byte("USER ")

// IRC recognises Internet Relay Chat from the client's registration.
type IRC struct{}

// Name returns nDPI's name for the protocol.
func (IRC) Name() string { return "IRC" }

// Ports returns the IANA port of IRC and the usual 6667.
func (IRC) Ports() (tcp, udp []uint16) { return []uint16{194, 6667}, nil }

// Inspect claims a TCP flow whose first client segment is a line of
// printable text that starts with a registration command.
func (IRC) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP || p.Dir != ClientToServer {
		return NotMine
	}
	if !ircRegistrationLine(p.Payload) {
		return NotMine
	}
	f.SetResult("IRC", "")
	return Done
}

// ircRegistrationLine checks the first line of b (RFC 2812 section 2.3:
// at most 512 bytes with its CR LF, which some clients shorten to LF).
func ircRegistrationLine(b []byte) bool {
	end := bytes.IndexByte(b, '\n')
	if end < 0 || end >= 512 {
		return false
	}
	line := bytes.TrimSuffix(b[:end], []byte("\r"))
	for _, c := range line {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	for _, cmd := range ircRegistration {
		if bytes.HasPrefix(line, []byte(cmd)) {
			return true
		}
	}
	params, ok := bytes.CutPrefix(line, ircUser)
	if !ok {
		return false
	}
	middle, _, ok := bytes.Cut(params, []byte(" :"))
	return ok && len(bytes.Fields(middle)) == 3
}
