package dpi

import "bytes"

// nntpCommands are client commands of NNTP (RFC 3977 and the AUTHINFO
// extension of RFC 4643) that open a session after the server's greeting.
var nntpCommands = [...]string{
	"AUTHINFO ", "MODE READER", "CAPABILITIES", "HELP", "LIST", "GROUP ", "ARTICLE",
	"NEWNEWS ", "NEWGROUPS ", "POST", "XOVER", "OVER", "QUIT", "DATE", "IHAVE ",
}

// nntpState records that the server's greeting was seen.
type nntpState struct {
	greeted bool
}

// Usenet recognises NNTP, the Network News Transfer Protocol of Usenet,
// from the server's greeting and the client's first command.
type Usenet struct{}

// Name returns nDPI's name for the protocol.
func (Usenet) Name() string { return "Usenet" }

// Ports returns the NNTP port.
func (Usenet) Ports() (tcp, udp []uint16) { return []uint16{119}, nil }

// Inspect waits for a greeting with code 200 or 201 (RFC 3977 section
// 5.1.1), then claims the flow when the client sends an NNTP command.
func (Usenet) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	st := Scratch[nntpState](f, "Usenet")
	b := p.Payload
	if !st.greeted {
		if p.Dir != ServerToClient || !nntpGreeting(b) {
			return NotMine
		}
		st.greeted = true
		return NeedMore
	}
	if p.Dir == ServerToClient {
		return NeedMore
	}
	for _, cmd := range nntpCommands {
		if len(b) >= len(cmd) && bytes.EqualFold(b[:len(cmd)], []byte(cmd)) {
			f.SetResult("Usenet", "")
			return Done
		}
	}
	return NotMine
}

// nntpGreeting checks a "200 " or "201 " line that ends in CRLF.
func nntpGreeting(b []byte) bool {
	return (bytes.HasPrefix(b, []byte("200 ")) || bytes.HasPrefix(b, []byte("201 "))) &&
		bytes.Contains(b, []byte("\r\n"))
}
