package dpi

import "bytes"

// tlsUpgrade describes how a line-based protocol switches its connection
// to TLS: the client sends a command (SMTP's STARTTLS of RFC 3207, IMAP's
// STARTTLS of RFC 9051 section 6.2.1, POP3's STLS of RFC 2595 section 4,
// FTP's AUTH TLS of RFC 4217 section 4), the server accepts with a reply
// line, and TLS records follow in both directions right after those lines.
type tlsUpgrade struct {
	// master names the flow once TLS starts ("SMTPS").
	master string
	// command reports whether a client line asks for TLS.
	command func(line []byte) bool
	// reply reports whether a server line is a final reply, and whether it
	// accepts the command.
	reply func(line []byte) (final, accept bool)
	// credentials, when set, reports whether a client line carries a user
	// name or password in clear text.
	credentials func(line []byte) bool
}

// upgradeState is a flow's progress towards TLS, per direction the stream
// offset of the next line to read.
type upgradeState struct {
	offset [2]int
	asked  bool
	tls    bool
}

// textMaxLine caps a command or reply line; a longer line ends the search
// for the upgrade command.
const textMaxLine = 2048

// inspectUpgrade reads the lines that p completed and, once the server
// accepts the client's upgrade command, hands the flow to the TLS
// dissector at the offsets where each direction's records begin. It is
// called with every packet of the flow from the first on, so that the
// server lines read before the command are those sent before it, and it
// returns the verdict of a flow the caller already claimed.
func inspectUpgrade(f *Flow, p *Packet, st *upgradeState, u *tlsUpgrade) Verdict {
	if !st.tls {
		st.readUpgrade(f, u)
	}
	if !st.tls {
		return Claimed
	}
	switch (TLSDissector{}).Inspect(f, p) {
	case NotMine, Done:
		return Done
	}
	return Claimed
}

// readUpgrade skips the server lines sent before the upgrade command, reads
// client lines up to that command, then server lines up to its reply.
func (st *upgradeState) readUpgrade(f *Flow, u *tlsUpgrade) {
	for {
		if !st.asked {
			st.skipLines(f, ServerToClient)
		}
		for !st.asked {
			line, ok := st.next(f, ClientToServer)
			if !ok {
				return
			}
			st.asked = u.command(line)
			if u.credentials != nil && u.credentials(line) {
				f.AddRisk("clear_text_credentials")
			}
		}
		line, ok := st.next(f, ServerToClient)
		if !ok {
			return
		}
		final, accept := u.reply(line)
		switch {
		case final && accept:
			st.tls = true
			StartTLSAt(f, u.master, st.offset[ClientToServer], st.offset[ServerToClient])
			return
		case final:
			st.asked = false
		}
	}
}

// next returns the next whole line of direction d without its line end.
func (st *upgradeState) next(f *Flow, d Direction) ([]byte, bool) {
	line, n, ok := textLine(f.Stream(d)[st.offset[d]:])
	if ok {
		st.offset[d] += n
	}
	return line, ok
}

// skipLines moves the offset of direction d past its whole lines.
func (st *upgradeState) skipLines(f *Flow, d Direction) {
	for ok := true; ok; {
		_, ok = st.next(f, d)
	}
}

// textLine returns the first LF-terminated line of b without its CR LF,
// and the bytes it takes. ok is false when no line end is buffered within
// textMaxLine bytes.
func textLine(b []byte) (line []byte, n int, ok bool) {
	i := bytes.IndexByte(b[:min(len(b), textMaxLine)], '\n')
	if i < 0 {
		return nil, 0, false
	}
	return bytes.TrimSuffix(b[:i], []byte{'\r'}), i + 1, true
}

// implicitTLSPorts name TLS on the ports where mail protocols speak TLS
// from the first byte (RFC 8314 section 7.3), as nDPI names them.
var implicitTLSPorts = map[uint16]string{
	465: "SMTPS",
	993: "IMAPS",
	995: "POPS",
}

// MailTLS recognises TLS on the implicit-TLS mail ports 465, 993 and 995
// and names it SMTPS, IMAPS or POPS. It runs the TLS dissector with that
// master name, so the handshake metadata is the same as on other ports.
type MailTLS struct{}

// Name returns "IMAPS", the most common of the names it gives.
func (MailTLS) Name() string { return "IMAPS" }

// Ports returns the implicit-TLS mail ports.
func (MailTLS) Ports() (tcp, udp []uint16) { return []uint16{465, 993, 995}, nil }

// mailTLSState records that the TLS state was given the master name.
type mailTLSState struct{ started bool }

// Inspect hands the flow to the TLS dissector under the port's mail name.
func (MailTLS) Inspect(f *Flow, p *Packet) Verdict {
	master, ok := implicitTLSPorts[f.Server.Port()]
	if !ok || f.Protocol != ipProtocolTCP {
		return NotMine
	}
	st := Scratch[mailTLSState](f, "MailTLS")
	if !st.started {
		st.started = true
		StartTLSAt(f, master, 0, 0)
	}
	return TLSDissector{}.Inspect(f, p)
}
