package dpi

import (
	"bytes"
	"encoding/binary"
)

// Discord voice connections open with IP discovery: the client sends a
// 74-byte request (type 1, length 70, its SSRC and 66 zero bytes) and the
// voice server replies with type 2 and the client's public address and
// port. Clients also send 8-byte keep-alives starting 0x1337cafe.
const (
	discordDiscoveryLen     = 74
	discordDiscoveryBodyLen = 70
	discordKeepAliveLen     = 8
)

var discordKeepAliveMagic = []byte{0x13, 0x37, 0xca, 0xfe}

// Discord recognises the UDP voice connections of the Discord client.
type Discord struct{}

// Name returns nDPI's name for the application.
func (Discord) Name() string { return "Discord" }

// Inspect claims a UDP flow that opens with IP discovery or a keep-alive.
func (Discord) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 17 {
		return NotMine
	}
	ok := len(b) == discordKeepAliveLen && bytes.HasPrefix(b, discordKeepAliveMagic)
	if len(b) == discordDiscoveryLen {
		typ := binary.BigEndian.Uint16(b[0:2])
		ok = (typ == 1 || typ == 2) && binary.BigEndian.Uint16(b[2:4]) == discordDiscoveryBodyLen
	}
	if !ok {
		return NotMine
	}
	f.SetResult("Discord", "")
	return Done
}
