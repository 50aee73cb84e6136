package dpi

import "bytes"

// SIP ports, plain and over TLS (RFC 3261 section 19.1.2).
const (
	sipPort    = 5060
	sipTLSPort = 5061
)

// sipMethods are the request methods of RFC 3261 section 7.1 and of its
// extensions (PRACK, SUBSCRIBE, NOTIFY, UPDATE, MESSAGE, REFER, PUBLISH,
// INFO), each followed by the space before the Request-URI.
var sipMethods = [][]byte{
	[]byte("INVITE "), []byte("REGISTER "), []byte("ACK "), []byte("CANCEL "),
	[]byte("BYE "), []byte("OPTIONS "), []byte("INFO "), []byte("PRACK "),
	[]byte("SUBSCRIBE "), []byte("NOTIFY "), []byte("UPDATE "), []byte("MESSAGE "),
	[]byte("REFER "), []byte("PUBLISH "),
}

var (
	sipSchemes   = [][]byte{[]byte("sip:"), []byte("sips:"), []byte("tel:")}
	sipStatusTag = []byte("SIP/2.0 ")
)

// SIP recognises the Session Initiation Protocol (RFC 3261): a request
// line whose Request-URI has a sip, sips or tel scheme, or a status line.
type SIP struct{}

// Name returns nDPI's name for the protocol.
func (SIP) Name() string { return "SIP" }

// Ports returns SIP's ports.
func (SIP) Ports() (tcp, udp []uint16) {
	return []uint16{sipPort, sipTLSPort}, []uint16{sipPort, sipTLSPort}
}

// Inspect claims the flow on the first SIP start line among its first
// three packets.
func (SIP) Inspect(f *Flow, p *Packet) Verdict {
	if sipStartLine(p.Payload) {
		f.SetResult("SIP", "")
		return Done
	}
	if f.Packets[0]+f.Packets[1] >= 3 {
		return NotMine
	}
	return NeedMore
}

// sipStartLine reports whether b starts with a SIP request line (RFC 3261
// section 7.1) or status line (section 7.2).
func sipStartLine(b []byte) bool {
	if bytes.HasPrefix(b, sipStatusTag) {
		code := b[len(sipStatusTag):]
		return len(code) >= 4 && sipIsDigit(code[0]) && sipIsDigit(code[1]) && sipIsDigit(code[2]) && code[3] == ' '
	}
	for _, m := range sipMethods {
		if !bytes.HasPrefix(b, m) {
			continue
		}
		uri := b[len(m):]
		for _, s := range sipSchemes {
			if len(uri) >= len(s) && bytes.EqualFold(uri[:len(s)], s) {
				return true
			}
		}
		return false
	}
	return false
}

func sipIsDigit(c byte) bool { return c >= '0' && c <= '9' }
