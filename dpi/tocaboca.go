package dpi

import "encoding/binary"

// Toca Boca's games talk to Photon servers (Exit Games) over UDP on the
// Photon ports. A Photon datagram has a 12-byte header (peer id, CRC
// flag, command count, sent time, challenge) followed by commands, each
// with a 12-byte header: type, channel, flags, reserved, the command's
// length (32 bits, big endian) and its reliable sequence number.
const (
	photonPort          = 5055
	photonAltPort       = 5056
	photonHeaderLen     = 12
	photonCommandLen    = 12
	photonMaxCommands   = 16
	photonMaxCommandTyp = 16
)

// TocaBoca recognises the Photon traffic of Toca Boca's games. The
// Photon framing is checked, and only on Photon's ports.
type TocaBoca struct{}

// Name returns nDPI's name for the application.
func (TocaBoca) Name() string { return "TocaBoca" }

// Ports returns Photon's UDP ports.
func (TocaBoca) Ports() (tcp, udp []uint16) { return nil, []uint16{photonPort, photonAltPort} }

// Inspect claims a UDP flow on a Photon port whose first datagram is a
// Photon packet.
func (TocaBoca) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 17 || !photonOnPort(f) || !photonPacket(p.Payload) {
		return NotMine
	}
	f.SetResult("TocaBoca", "")
	return Done
}

func photonOnPort(f *Flow) bool {
	for _, port := range []uint16{f.Server.Port(), f.Client.Port()} {
		if port == photonPort || port == photonAltPort {
			return true
		}
	}
	return false
}

// photonPacket checks the packet header and the first command header:
// a known command type on a channel, with a length that fits.
func photonPacket(b []byte) bool {
	if len(b) < photonHeaderLen+photonCommandLen || b[2] > 1 {
		return false
	}
	if count := b[3]; count == 0 || count > photonMaxCommands {
		return false
	}
	cmd := b[photonHeaderLen:]
	if cmd[0] == 0 || cmd[0] > photonMaxCommandTyp {
		return false
	}
	n := binary.BigEndian.Uint32(cmd[4:8])
	return n >= photonCommandLen && int(n) <= len(cmd)
}
