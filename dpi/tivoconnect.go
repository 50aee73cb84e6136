package dpi

import "bytes"

// TiVoConnect recognises the discovery beacons of TiVo devices by their
// first line "tivoconnect=", in any case, as nDPI 4.x
// (protocols/tivoconnect.c) does. The beacon is a list of key=value
// lines, sent over UDP broadcast or TCP.
type TiVoConnect struct{}

const tivoConnectPrefix = "tivoconnect="

// Name returns nDPI's name for the protocol.
func (TiVoConnect) Name() string { return "TiVoConnect" }

// Ports returns the TiVo beacon port.
func (TiVoConnect) Ports() (tcp, udp []uint16) { return []uint16{2190}, []uint16{2190} }

// Inspect checks the flow's first packet with payload.
func (TiVoConnect) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if len(b) < len(tivoConnectPrefix) || !bytes.EqualFold(b[:len(tivoConnectPrefix)], []byte(tivoConnectPrefix)) {
		return NotMine
	}
	return claim(f, "TiVoConnect", "")
}
