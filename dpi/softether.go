package dpi

import "bytes"

// softetherReplyPrefix starts the reply a SoftEther VPN server sends to a
// client that probes its UDP port: the client's public address and port
// as text, "IP=a.b.c.d,PORT=n". The format is taken from captures of
// SoftEther VPN, whose documentation does not describe it.
var softetherReplyPrefix = []byte("IP=")

// softetherPortField separates the two fields of the reply.
var softetherPortField = []byte(",PORT=")

// SoftEther's PACK serialization carries its control messages. It starts
// with the number of elements (32 bits). Each element then has its name
// as a length (32 bits, one more than the name's size) and the name, a
// value type (0 to 4: integer, data, string, Unicode string, 64-bit
// integer) and the number of values (32 bits). The layout is taken from
// captures. The limits below bound what a message of
// the first packets holds.
const (
	softetherMaxElements = 256
	softetherMaxName     = 64
	softetherMaxType     = 4
	softetherMaxValues   = 1 << 16
)

// Softether recognises SoftEther VPN over UDP: its control messages in
// the PACK serialization and its address probe.
type Softether struct{}

// Name returns nDPI's name for the protocol.
func (Softether) Name() string { return "Softether" }

// Inspect claims a flow on a PACK message, or on the server's reply to
// the probe when it is the address text.
func (Softether) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	if softetherPack(b) {
		f.SetResult("Softether", "")
		return Done
	}
	if p.Dir == ClientToServer {
		if f.Packets[ServerToClient] == 0 && f.Packets[ClientToServer] <= 4 {
			return NeedMore
		}
		return NotMine
	}
	if !softetherReply(b) {
		return NotMine
	}
	f.SetResult("Softether", "")
	return Done
}

// softetherReply checks "IP=" followed by an address of digits, dots or
// IPv6 characters, then ",PORT=" and decimal digits up to the end.
func softetherReply(b []byte) bool {
	rest, ok := bytes.CutPrefix(b, softetherReplyPrefix)
	if !ok {
		return false
	}
	addr, port, ok := bytes.Cut(rest, softetherPortField)
	if !ok || len(addr) == 0 || len(port) == 0 || len(port) > 5 {
		return false
	}
	for _, c := range addr {
		if !httpIsDigit(c) && c != '.' && c != ':' && !(c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	for _, c := range port {
		if !httpIsDigit(c) {
			return false
		}
	}
	return true
}

// softetherPack checks the start of a PACK message: the element count and
// the first element's name, type and value count.
func softetherPack(b []byte) bool {
	c := wireCursor{buf: b}
	elements, ok1 := c.u32()
	nameLen, ok2 := c.u32()
	if !ok1 || !ok2 || elements == 0 || elements > softetherMaxElements || nameLen < 2 || nameLen > softetherMaxName {
		return false
	}
	name, ok := c.bytes(int(nameLen) - 1)
	if !ok {
		return false
	}
	for _, ch := range name {
		if ch <= ' ' || ch >= 0x7f {
			return false
		}
	}
	typ, ok1 := c.u32()
	values, ok2 := c.u32()
	return ok1 && ok2 && typ <= softetherMaxType && values >= 1 && values <= softetherMaxValues
}
