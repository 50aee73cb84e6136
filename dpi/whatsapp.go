package dpi

import "bytes"

// whatsappPort is the TCP port of WhatsApp's chat servers (an XMPP
// derivative, hence the XMPP client port); they also listen on 443.
const whatsappPort = 5222

// whatsappEdgePrologue starts a connection through WhatsApp's edge
// routing: "ED" and the routing version 0.1.
var whatsappEdgePrologue = []byte("ED\x00\x01")

// WhatsApp recognises the chat connection of the WhatsApp clients. Its
// Noise handshake opens with a prologue: "WA" with the protocol's major and
// minor version, optionally preceded by the edge routing prologue
// "ED\x00\x01". Each message after it is framed by a 24-bit length.
type WhatsApp struct{}

// Name returns nDPI's name for the application.
func (WhatsApp) Name() string { return "WhatsApp" }

// Ports returns the usual TCP port of the chat servers.
func (WhatsApp) Ports() (tcp, udp []uint16) { return []uint16{whatsappPort}, nil }

// Inspect claims a TCP flow whose client stream begins with the prologue.
func (WhatsApp) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 6 {
		return NotMine
	}
	if p.Dir != ClientToServer {
		return NeedMore
	}
	s := f.Stream(ClientToServer)
	if whatsappPrologue(s) {
		f.SetResult("WhatsApp", "")
		return Done
	}
	short := len(s) < whatsappPrologueLen && f.Packets[ClientToServer] < 3
	if short && (bytes.HasPrefix(whatsappEdgePrologue, s) || bytes.HasPrefix(s, []byte("WA"))) {
		return NeedMore
	}
	return NotMine
}

// whatsappPrologueLen is the length of a "WA" prologue and the 24-bit
// length of the first message.
const whatsappPrologueLen = 4 + 3

// whatsappPrologue reports whether s starts with a prologue ("WA" and a
// version, or the edge prologue with its routing data) followed by the
// start of a length-framed message.
func whatsappPrologue(s []byte) bool {
	if bytes.HasPrefix(s, whatsappEdgePrologue) {
		return true
	}
	if len(s) < whatsappPrologueLen || s[0] != 'W' || s[1] != 'A' {
		return false
	}
	major, minor := s[2], s[3]
	if major == 0 || major > 9 || minor > 15 {
		return false
	}
	frame := int(s[4])<<16 | int(s[5])<<8 | int(s[6])
	return frame > 0
}
