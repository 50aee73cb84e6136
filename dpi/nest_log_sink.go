package dpi

import "encoding/binary"

// nestLogSinkPort is the TCP port of Google Nest devices' log upload.
const nestLogSinkPort = 11095

// NestLogSink messages start with their length (16 bits, little endian,
// not counting itself) and a two-byte type whose second byte is 0x13.
const (
	nestLogSinkHeaderLen = 4
	nestLogSinkMarker    = 0x13
)

// NestLogSink recognises the log upload of Google Nest devices. The
// message framing alone is weak evidence, so it is checked only on the
// service's port.
type NestLogSink struct{}

// Name returns nDPI's name for the protocol.
func (NestLogSink) Name() string { return "NestLogSink" }

// Ports returns the log service's port.
func (NestLogSink) Ports() (tcp, udp []uint16) { return []uint16{nestLogSinkPort}, nil }

// Inspect claims a TCP flow to the log port whose client opens with a
// framed message.
func (NestLogSink) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 6 || f.Server.Port() != nestLogSinkPort || p.Dir != ClientToServer {
		return NotMine
	}
	if len(b) < nestLogSinkHeaderLen || b[3] != nestLogSinkMarker {
		return NotMine
	}
	n := int(binary.LittleEndian.Uint16(b[0:2]))
	if n+2 < len(b) || n < nestLogSinkHeaderLen {
		return NotMine
	}
	f.SetResult("NestLogSink", "")
	return Done
}
