package dpi

import "bytes"

// Gaijin Entertainment's games and launchers report metrics over UDP as
// StatsD lines tagged with their deployment, for example
// "app.start,env=production,circuit=production,application=client,...:1|c".
// The "circuit" tag names a cluster of Gaijin's servers. The format is
// taken from captures of War Thunder, as Gaijin publishes none.
var (
	gaijinEnvTag     = []byte(",env=")
	gaijinCircuitTag = []byte(",circuit=")
)

// gaijinMaxLine bounds the metric line, a StatsD datagram being small.
const gaijinMaxLine = 1500

// GaijinEntertainment recognises the telemetry of Gaijin Entertainment's
// games.
type GaijinEntertainment struct{}

// Name returns nDPI's name for the application.
func (GaijinEntertainment) Name() string { return "GaijinEntertainment" }

// Inspect claims a UDP flow whose datagram is a printable StatsD line
// with both deployment tags and a ":value|type" ending.
func (GaijinEntertainment) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) > gaijinMaxLine || !gaijinMetric(b) {
		return NotMine
	}
	f.SetResult("GaijinEntertainment", "")
	return Done
}

func gaijinMetric(b []byte) bool {
	name, rest, ok := bytes.Cut(b, gaijinEnvTag)
	if !ok || len(name) == 0 || !bytes.Contains(rest, gaijinCircuitTag) {
		return false
	}
	colon := bytes.LastIndexByte(b, ':')
	if colon < 0 || !bytes.Contains(b[colon:], []byte("|")) {
		return false
	}
	for _, c := range b {
		if (c < 0x20 || c >= 0x7f) && c != '\n' {
			return false
		}
	}
	return true
}
