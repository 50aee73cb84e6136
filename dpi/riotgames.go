package dpi

import "bytes"

// RiotGames recognises the latency probes of Riot Games' clients: UDP
// datagrams that end with the filler 0xaaaaaaaa 0xbbbbbbbb, which the
// server echoes.
// NOTE: Riot documents no format; the check follows captures of the
// League of Legends client.
// TODO: game traffic on UDP 7000-8000 without the probe stays unnamed; it
// carries no fixed bytes to tell it apart.
type RiotGames struct{}

// Name returns "RiotGames".
func (RiotGames) Name() string { return "RiotGames" }

var riotProbeTrailer = []byte{0xaa, 0xaa, 0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb}

const riotProbeMinLen = 24

// Inspect checks the first datagram's trailer.
func (RiotGames) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || len(p.Payload) < riotProbeMinLen || !bytes.HasSuffix(p.Payload, riotProbeTrailer) {
		return NotMine
	}
	return claim(f, "RiotGames", "")
}
