package dpi

import "bytes"

// SMTP recognises SMTP (RFC 5321) from the server's 220 greeting and the
// client's EHLO or HELO, and follows STARTTLS (RFC 3207). Once the server
// accepts STARTTLS, the flow is named "SMTPS" as nDPI names it, and the
// TLS handshake is read as on any TLS flow.
type SMTP struct{}

// IMAP recognises IMAP (RFC 9051, RFC 3501) from the server's untagged
// greeting and the client's first tagged command, and follows STARTTLS
// (RFC 9051 section 6.2.1) to "IMAPS". A LOGIN command raises
// clear_text_credentials.
type IMAP struct{}

// POP3 recognises POP3 (RFC 1939) from the server's +OK greeting and the
// client's first command, and follows STLS (RFC 2595 section 4) to
// "POPS". USER and PASS commands raise clear_text_credentials.
type POP3 struct{}

// Name returns "SMTP".
func (SMTP) Name() string { return "SMTP" }

// Name returns "IMAP".
func (IMAP) Name() string { return "IMAP" }

// Name returns "POP3".
func (POP3) Name() string { return "POP3" }

// Ports returns the SMTP relay and submission ports.
func (SMTP) Ports() (tcp, udp []uint16) { return []uint16{25, 587}, nil }

// Ports returns the IMAP port.
func (IMAP) Ports() (tcp, udp []uint16) { return []uint16{143}, nil }

// Ports returns the POP3 port.
func (POP3) Ports() (tcp, udp []uint16) { return []uint16{110}, nil }

// Inspect identifies SMTP, then watches for STARTTLS.
func (SMTP) Inspect(f *Flow, p *Packet) Verdict { return inspectMail(f, p, &smtpSpec) }

// Inspect identifies IMAP, then watches for STARTTLS.
func (IMAP) Inspect(f *Flow, p *Packet) Verdict { return inspectMail(f, p, &imapSpec) }

// Inspect identifies POP3, then watches for STLS.
func (POP3) Inspect(f *Flow, p *Packet) Verdict { return inspectMail(f, p, &pop3Spec) }

// mailSpec describes how one mail protocol opens and upgrades to TLS.
type mailSpec struct {
	name string
	// greeting reports whether the server's first line is this protocol's.
	greeting func(line []byte) bool
	// token is a word that, in the greeting, is enough to claim the flow
	// before the client's first command.
	token []byte
	// command reports whether the client's first line is this protocol's.
	command func(line []byte) bool
	// greetingHost is set when the greeting names the server's host
	// after the reply code, as SMTP's does (RFC 5321 section 4.2).
	greetingHost bool
	upgrade      tlsUpgrade
}

// mailMaxPackets bounds the packets read before the greeting and the
// first command are both whole.
const mailMaxPackets = 8

// mailState is a mail flow's progress.
type mailState struct {
	upgrade upgradeState
	claimed bool
}

func inspectMail(f *Flow, p *Packet, spec *mailSpec) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	st := Scratch[mailState](f, spec.name)
	if !st.claimed {
		if v := identifyMail(f, spec); v != Claimed {
			return v
		}
		st.claimed = true
		f.SetResult(spec.name, "")
		if spec.greetingHost {
			setGreetingHost(f)
		}
	}
	return inspectUpgrade(f, p, &st.upgrade, &spec.upgrade)
}

// identifyMail checks the server's greeting and the client's first line.
func identifyMail(f *Flow, spec *mailSpec) Verdict {
	greeting, _, ok := textLine(f.Stream(ServerToClient))
	if !ok {
		return mailWait(f, ServerToClient)
	}
	if !spec.greeting(greeting) {
		return NotMine
	}
	if bytes.Contains(bytes.ToUpper(greeting), spec.token) {
		return Claimed
	}
	command, _, ok := textLine(f.Stream(ClientToServer))
	switch {
	case !ok:
		return mailWait(f, ClientToServer)
	case !spec.command(command):
		return NotMine
	}
	return Claimed
}

// mailWait returns NeedMore while direction d may still bring its first
// line, NotMine once the packet budget is spent or d overflowed a line.
func mailWait(f *Flow, d Direction) Verdict {
	if f.Packets[0]+f.Packets[1] >= mailMaxPackets || len(f.Stream(d)) >= textMaxLine {
		return NotMine
	}
	return NeedMore
}

var smtpSpec = mailSpec{
	name:         "SMTP",
	greeting:     func(l []byte) bool { return replyCode(l) == 220 },
	token:        []byte("SMTP"),
	greetingHost: true,
	command: func(l []byte) bool {
		return isTextCommand(l, "EHLO") || isTextCommand(l, "HELO")
	},
	upgrade: tlsUpgrade{
		master:  "SMTPS",
		command: func(l []byte) bool { return isTextCommand(l, "STARTTLS") },
		reply:   func(l []byte) (bool, bool) { return replyFinal(l), replyCode(l) == 220 },
	},
}

var imapSpec = mailSpec{
	name: "IMAP",
	greeting: func(l []byte) bool {
		return hasPrefixFold(l, "* OK") || hasPrefixFold(l, "* PREAUTH") || hasPrefixFold(l, "* BYE")
	},
	token:   []byte("IMAP"),
	command: imapFirstCommand,
	upgrade: tlsUpgrade{
		master:      "IMAPS",
		command:     func(l []byte) bool { return isTextCommand(imapAfterTag(l), "STARTTLS") },
		reply:       imapReply,
		credentials: func(l []byte) bool { return isTextCommand(imapAfterTag(l), "LOGIN") },
	},
}

var pop3Spec = mailSpec{
	name:     "POP3",
	greeting: func(l []byte) bool { return isTextCommand(l, "+OK") },
	token:    []byte("POP"),
	command: func(l []byte) bool {
		for _, c := range [...]string{"USER", "CAPA", "AUTH", "APOP", "STLS", "QUIT", "NOOP"} {
			if isTextCommand(l, c) {
				return true
			}
		}
		return false
	},
	upgrade: tlsUpgrade{
		master:  "POPS",
		command: func(l []byte) bool { return isTextCommand(l, "STLS") },
		reply: func(l []byte) (bool, bool) {
			ok := isTextCommand(l, "+OK")
			return ok || isTextCommand(l, "-ERR"), ok
		},
		credentials: func(l []byte) bool { return isTextCommand(l, "USER") || isTextCommand(l, "PASS") },
	},
}

// ftpsUpgrade follows FTP's AUTH TLS or AUTH SSL (RFC 4217 section 4) to
// "FTPS": the server accepts with reply code 234.
var ftpsUpgrade = tlsUpgrade{
	master: "FTPS",
	command: func(l []byte) bool {
		return hasPrefixFold(l, "AUTH TLS") || hasPrefixFold(l, "AUTH SSL")
	},
	reply: func(l []byte) (bool, bool) { return replyFinal(l), replyCode(l) == 234 },
}

// FTPSUpgrade follows an FTP control connection that the FTP dissector
// claimed to its AUTH TLS hand-over, after which the flow is named "FTPS"
// and the TLS handshake is read. The FTP dissector calls it with every
// packet from the flow's first and returns its verdict.
func FTPSUpgrade(f *Flow, p *Packet) Verdict {
	st := Scratch[upgradeState](f, "FTPS")
	return inspectUpgrade(f, p, st, &ftpsUpgrade)
}

// setGreetingHost takes the domain that follows the code of the server's
// greeting as the flow's host name, as nDPI does. A TLS server name seen
// after STARTTLS replaces it.
func setGreetingHost(f *Flow) {
	greeting, _, _ := textLine(f.Stream(ServerToClient))
	fields := bytes.Fields(greeting)
	if len(fields) < 2 || bytes.IndexByte(fields[1], '.') <= 0 || len(fields[1]) > 253 {
		return
	}
	for _, c := range fields[1] {
		if !(c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return
		}
	}
	f.Host = string(fields[1])
	f.Info = f.Host
}

// imapFirstCommand accepts a tagged command that a client sends first.
func imapFirstCommand(l []byte) bool {
	rest := imapAfterTag(l)
	if rest == nil {
		return false
	}
	for _, c := range [...]string{"CAPABILITY", "LOGIN", "STARTTLS", "AUTHENTICATE", "ID", "NOOP", "LOGOUT", "ENABLE", "SELECT"} {
		if isTextCommand(rest, c) {
			return true
		}
	}
	return false
}

// imapAfterTag returns the line after its tag (RFC 9051 section 2.2.1),
// or nil when the line has no tag.
func imapAfterTag(l []byte) []byte {
	i := bytes.IndexByte(l, ' ')
	if i <= 0 || l[0] == '*' || l[0] == '+' {
		return nil
	}
	return l[i+1:]
}

// imapReply treats a tagged line as the final reply, accepting on OK.
func imapReply(l []byte) (final, accept bool) {
	rest := imapAfterTag(l)
	if rest == nil {
		return false, false
	}
	return true, isTextCommand(rest, "OK")
}

// replyCode returns the three-digit code of an SMTP or FTP reply line, or
// -1 when the line does not start with one.
func replyCode(l []byte) int {
	if len(l) < 3 || (len(l) > 3 && l[3] != ' ' && l[3] != '-') {
		return -1
	}
	code := 0
	for _, c := range l[:3] {
		if c < '0' || c > '9' {
			return -1
		}
		code = code*10 + int(c-'0')
	}
	return code
}

// replyFinal reports whether l is the last line of a reply: a code not
// followed by '-' (RFC 5321 section 4.2.1, RFC 959 section 4.2).
func replyFinal(l []byte) bool { return replyCode(l) >= 0 && (len(l) == 3 || l[3] == ' ') }

// isTextCommand reports whether line is word, alone or followed by a
// space, in any letter case.
func isTextCommand(line []byte, word string) bool {
	return hasPrefixFold(line, word) && (len(line) == len(word) || line[len(word)] == ' ')
}

// hasPrefixFold is bytes.HasPrefix ignoring ASCII letter case.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}
