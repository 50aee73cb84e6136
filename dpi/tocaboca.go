package dpi

// Toca Boca's games talk to Photon servers (Exit Games) over UDP on the
// Photon ports. nDPI 4.x (protocols/toca_boca.c) names a flow TocaBoca by
// one of three datagram patterns, and flowlens checks the same ones:
//   - eight bytes 0x7d, in a datagram of at least 13 bytes;
//   - a Photon connect as the flow's first datagram: 0xffff0001 at offset
//     0 and the connect command 0x02ff0104 at offset 12;
//   - a datagram of at least 32 bytes with 1, 2 or 3 in bytes 2 and 3,
//     0x01ff0000 or 0x01000000 at offset 12, and 0x00000014 at offset 16.
//
// Fragments and unreliable sends of a session seen without its start
// match none of them, so nDPI only guesses those flows by port.
const (
	photonPort    = 5055
	photonAltPort = 5056

	tocaBocaFillerLen     = 13
	tocaBocaConnectLen    = 24
	tocaBocaConnectHead   = 0xffff0001
	tocaBocaConnectCmd    = 0x02ff0104
	tocaBocaCommandLen    = 32
	tocaBocaCommandSize   = 0x00000014
	tocaBocaReliableFlags = 0x01ff0000
	tocaBocaPlainFlags    = 0x01000000
)

// TocaBoca recognises the Photon traffic of Toca Boca's games by the
// patterns above, and only on Photon's ports.
type TocaBoca struct{}

// Name returns nDPI's name for the application.
func (TocaBoca) Name() string { return "TocaBoca" }

// Ports returns Photon's UDP ports.
func (TocaBoca) Ports() (tcp, udp []uint16) { return nil, []uint16{photonPort, photonAltPort} }

// Inspect claims a UDP flow on a Photon port whose first datagram matches
// one of the patterns.
func (TocaBoca) Inspect(f *Flow, p *Packet) Verdict {
	first := f.Packets[0]+f.Packets[1] == 1
	if f.Protocol != 17 || !photonOnPort(f) || !tocaBocaPacket(p.Payload, first) {
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

// tocaBocaPacket reports whether b matches one of the patterns. The
// connect pattern counts only in the flow's first datagram.
func tocaBocaPacket(b []byte, first bool) bool {
	if len(b) >= tocaBocaFillerLen && string(b[:8]) == "\x7d\x7d\x7d\x7d\x7d\x7d\x7d\x7d" {
		return true
	}
	head, _ := u32At(b, 0)
	cmd, _ := u32At(b, 12)
	if first && len(b) >= tocaBocaConnectLen && head == tocaBocaConnectHead && cmd == tocaBocaConnectCmd {
		return true
	}
	if len(b) < tocaBocaCommandLen {
		return false
	}
	kind, _ := u16At(b, 2)
	size, _ := u32At(b, 16)
	return kind >= 1 && kind <= 3 && (cmd == tocaBocaReliableFlags || cmd == tocaBocaPlainFlags) && size == tocaBocaCommandSize
}
