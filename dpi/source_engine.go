package dpi

import "bytes"

// sourceEngineInfoQuery is the A2S_INFO request of Valve's Source Engine
// server queries: the single-packet marker 0xFFFFFFFF, the request type
// 'T' and the string "Source Engine Query".
var sourceEngineInfoQuery = []byte("\xff\xff\xff\xffTSource Engine Query\x00")

// sourceEnginePort is the usual game server port of Source Engine games.
const sourceEnginePort = 27015

// SourceEngine recognises server queries of Valve's Source Engine games.
type SourceEngine struct{}

// Name returns nDPI's name for the protocol.
func (SourceEngine) Name() string { return "Source_Engine" }

// Ports returns the usual game server port.
func (SourceEngine) Ports() (tcp, udp []uint16) { return nil, []uint16{sourceEnginePort} }

// Inspect claims a UDP flow whose first datagram is an A2S_INFO query.
func (SourceEngine) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 17 || !bytes.HasPrefix(p.Payload, sourceEngineInfoQuery) {
		return NotMine
	}
	f.SetResult("Source_Engine", "")
	return Done
}
