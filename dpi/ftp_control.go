package dpi

import "bytes"

// ftpControlPort is FTP's control connection port (RFC 959).
const ftpControlPort = 21

// ftpCommands are the client commands that open an FTP session: login
// (RFC 959 section 4.1.1), security negotiation (RFC 2228, RFC 4217) and
// feature discovery (RFC 2389), each with its separator.
var ftpCommands = [][]byte{
	[]byte("USER "), []byte("AUTH "), []byte("FEAT\r\n"), []byte("SYST\r\n"),
	[]byte("OPTS "), []byte("HOST "), []byte("HELP\r\n"),
}

// FTPControl recognises the control connection of the File Transfer
// Protocol (RFC 959): the server's 220 greeting (section 4.2), followed
// by one of the client commands that start a session. A session that
// goes on with AUTH is named FTPS.
type FTPControl struct{}

// Name returns nDPI's name for the protocol.
func (FTPControl) Name() string { return "FTP_CONTROL" }

// Ports returns the control port.
func (FTPControl) Ports() (tcp, udp []uint16) { return []uint16{ftpControlPort}, nil }

// ftpState records that the server's greeting was seen, and that the
// client asked for TLS, after which FTPSUpgrade reads the flow.
type ftpState struct {
	greeted   bool
	upgrading bool
}

// Inspect waits for the greeting, then claims the flow on the client's
// first command.
func (FTPControl) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 6 {
		return NotMine
	}
	st := Scratch[ftpState](f, "FTP_CONTROL")
	if st.upgrading {
		return FTPSUpgrade(f, p)
	}
	b := p.Payload
	switch {
	case p.Dir == ServerToClient && !st.greeted:
		if !ftpGreeting(b) {
			return NotMine
		}
		st.greeted = true
		return NeedMore
	case p.Dir == ClientToServer && st.greeted:
		if !ftpSessionCommand(b) {
			return NotMine
		}
		// AUTH upgrades the connection to TLS (RFC 4217 section 4), which
		// nDPI names FTPS.
		if len(b) >= 5 && bytes.EqualFold(b[:5], []byte("AUTH ")) {
			f.SetResult("FTPS", "")
			st.upgrading = true
			return FTPSUpgrade(f, p)
		}
		f.SetResult("FTP_CONTROL", "")
		return Done
	case p.Dir == ClientToServer:
		// The client speaks first: not FTP.
		return NotMine
	}
	return NeedMore
}

// ftpGreeting reports whether b is a 220 reply, single or multi-line.
func ftpGreeting(b []byte) bool {
	return len(b) >= 5 && bytes.HasPrefix(b, []byte("220")) && (b[3] == ' ' || b[3] == '-') && bytes.HasSuffix(b, []byte("\r\n"))
}

func ftpSessionCommand(b []byte) bool {
	for _, c := range ftpCommands {
		if len(b) >= len(c) && bytes.EqualFold(b[:len(c)], c) {
			return true
		}
	}
	return false
}
