package dpi

import "bytes"

// teamSpeak3Init is the text a TeamSpeak 3 client's first UDP packet
// starts with when it connects to a voice server. The format is taken
// from captures, as TeamSpeak publishes no specification.
var teamSpeak3Init = []byte("TS3INIT1")

// TeamSpeak recognises the voice connections of TeamSpeak 3.
type TeamSpeak struct{}

// Name returns nDPI's name for the application.
func (TeamSpeak) Name() string { return "TeamSpeak" }

// Ports returns the default voice port of a TeamSpeak 3 server.
func (TeamSpeak) Ports() (tcp, udp []uint16) { return nil, []uint16{9987} }

// Inspect claims a UDP flow whose packet starts with the connection text.
func (TeamSpeak) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !bytes.HasPrefix(p.Payload, teamSpeak3Init) {
		return NotMine
	}
	f.SetResult("TeamSpeak", "")
	return Done
}
