package dpi

import "bytes"

// RiotGames recognises the latency probes of Riot Games' clients: UDP
// datagrams that end with the filler 0xaaaaaaaa 0xbbbbbbbb, which the
// server echoes. It also recognises 53-byte datagrams that end with
// 0x3cb11f2d 0xea23460c, which nDPI 4.x (protocols/riotgames.c) names
// RiotGames too.
// NOTE: Riot documents no format; the check follows captures of the
// League of Legends client.
// TODO: game traffic on UDP 7000-8000 without the probe stays unnamed; it
// carries no fixed bytes to tell it apart.
type RiotGames struct{}

// Name returns "RiotGames".
func (RiotGames) Name() string { return "RiotGames" }

var riotProbeTrailer = []byte{0xaa, 0xaa, 0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb}

const riotProbeMinLen = 24

// riotGameTrailer ends the riotGameLen-byte datagrams of Riot's games.
var riotGameTrailer = []byte{0x3c, 0xb1, 0x1f, 0x2d, 0xea, 0x23, 0x46, 0x0c}

const riotGameLen = 53

// Inspect checks the first datagram's trailer.
func (RiotGames) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	b := p.Payload
	probe := len(b) >= riotProbeMinLen && bytes.HasSuffix(b, riotProbeTrailer)
	game := len(b) == riotGameLen && bytes.HasSuffix(b, riotGameTrailer)
	if !probe && !game {
		return NotMine
	}
	return claim(f, "RiotGames", "")
}
