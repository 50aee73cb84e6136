package dpi

import "bytes"

// wowGreeting is the text both ends of a World of Warcraft game connection
// send first, after a 16-bit little-endian length: "WORLD OF WARCRAFT
// CONNECTION - SERVER TO CLIENT" and its CLIENT TO SERVER twin. The format
// is taken from captures of the game client.
var wowGreeting = []byte("WORLD OF WARCRAFT CONNECTION - ")

// WorldOfWarcraft recognises the game connections of World of Warcraft.
type WorldOfWarcraft struct{}

// Name returns nDPI's name for the protocol.
func (WorldOfWarcraft) Name() string { return "WorldOfWarcraft" }

// Ports returns the port of the game's servers.
func (WorldOfWarcraft) Ports() (tcp, udp []uint16) { return []uint16{3724}, nil }

// Inspect claims a TCP flow whose first segment is the greeting, with a
// length prefix that counts the rest of the segment.
func (WorldOfWarcraft) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolTCP || len(b) < 2+len(wowGreeting) {
		return NotMine
	}
	length := int(b[0]) | int(b[1])<<8
	if length != len(b)-2 || !bytes.HasPrefix(b[2:], wowGreeting) {
		return NotMine
	}
	f.SetResult("WorldOfWarcraft", "")
	return Done
}
