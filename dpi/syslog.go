package dpi

// syslogPort is the syslog port: UDP (RFC 5426) and, by custom, TCP.
const syslogPort = 514

const (
	// syslogMaxPRI is the largest PRI value, facility 23 and severity 7
	// (RFC 5424 section 6.2.1).
	syslogMaxPRI = 191
	// syslogTextCheck is how many bytes after the PRI must be text.
	syslogTextCheck = 24
)

// Syslog recognises syslog messages (RFC 5424 and the BSD format of RFC
// 3164): a PRI of one to three digits in angle brackets followed by text,
// optionally preceded by the message length of TCP octet counting
// (RFC 6587 section 3.4.1).
type Syslog struct{}

// Name returns nDPI's name for the protocol.
func (Syslog) Name() string { return "Syslog" }

// Ports returns the syslog port.
func (Syslog) Ports() (tcp, udp []uint16) { return []uint16{syslogPort}, []uint16{syslogPort} }

// Inspect claims the flow when the client's first payload is a syslog
// message.
func (Syslog) Inspect(f *Flow, p *Packet) Verdict {
	if p.Dir != ClientToServer {
		return NotMine
	}
	b := p.Payload
	if f.Protocol == 6 {
		b = syslogSkipOctetCount(b)
	}
	if !syslogMessage(b) {
		return NotMine
	}
	f.SetResult("Syslog", "")
	return Done
}

// syslogMessage checks "<PRI>" and that the next bytes are printable text.
func syslogMessage(b []byte) bool {
	if len(b) < 3 || b[0] != '<' {
		return false
	}
	pri, i := 0, 1
	for ; i < len(b) && i <= 3 && b[i] >= '0' && b[i] <= '9'; i++ {
		pri = pri*10 + int(b[i]-'0')
	}
	if i == 1 || i >= len(b) || b[i] != '>' || pri > syslogMaxPRI {
		return false
	}
	text := b[i+1:]
	if len(text) == 0 {
		return false
	}
	for _, c := range text[:min(len(text), syslogTextCheck)] {
		if (c < ' ' || c > '~') && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
}

// syslogSkipOctetCount drops a leading "LENGTH " of octet-counted framing.
func syslogSkipOctetCount(b []byte) []byte {
	i := 0
	for i < len(b) && i < 6 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i > 0 && i < len(b) && b[i] == ' ' {
		return b[i+1:]
	}
	return b
}
