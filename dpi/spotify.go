package dpi

// Spotify recognises the Spotify client's own traffic: the LAN discovery
// broadcast on UDP port 57621, whose datagrams start with "SpotUdp0", and
// the access point protocol on TCP, where the client's hello starts with
// the 16-bit version 4 and a 32-bit length of the whole hello, and the
// server's answer with its own 32-bit length.
// NOTE: Spotify publishes neither format; these checks follow captures.
type Spotify struct{}

// Name returns "Spotify".
func (Spotify) Name() string { return "Spotify" }

// Ports returns Spotify's discovery port and its access point ports.
func (Spotify) Ports() (tcp, udp []uint16) { return []uint16{4070}, []uint16{57621} }

const spotifyHelloVersion = 4

// Inspect checks the discovery datagram, or the hello and its answer.
func (Spotify) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol == ipProtocolUDP {
		if hasPrefix(p.Payload, "SpotUdp0") {
			return claim(f, "Spotify", "")
		}
		return NotMine
	}
	hello := f.Stream(ClientToServer)
	version, ok1 := u16At(hello, 0)
	n, ok2 := u32At(hello, 2)
	if !ok1 || !ok2 || version != spotifyHelloVersion || int64(n) != int64(len(hello)) {
		return NotMine
	}
	if f.Packets[ServerToClient] == 0 {
		return NeedMore
	}
	answer := f.Stream(ServerToClient)
	m, ok := u32At(answer, 0)
	if !ok || m < 8 || int64(m) > int64(len(answer)) {
		return NotMine
	}
	return claim(f, "Spotify", "")
}
