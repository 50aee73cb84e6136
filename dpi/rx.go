package dpi

// RX recognises AFS's Rx remote procedure call transport: every datagram
// starts with a 28-byte header (epoch, connection id, call number,
// sequence, serial, type, flags, user status, security index, spare,
// service id), whose type is 1 to 13. The server's first reply carries
// the epoch and connection id of the client's first packet.
type RX struct{}

// Name returns "RX".
func (RX) Name() string { return "RX" }

// Ports returns the AFS servers' usual UDP ports.
func (RX) Ports() (tcp, udp []uint16) {
	return nil, []uint16{7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7009}
}

const (
	rxHeaderLen = 28
	rxMaxType   = 13
	rxTypeOff   = 20
)

// Inspect checks the client's first header, then that the server's first
// reply belongs to the same connection.
func (RX) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !rxHeader(p.Payload) {
		return NotMine
	}
	st := Scratch[[8]byte](f, "RX")
	if p.Dir == ClientToServer && f.Packets[ServerToClient] == 0 {
		copy(st[:], p.Payload[:8])
		return NeedMore
	}
	if p.Dir == ServerToClient && f.Packets[ClientToServer] > 0 && string(p.Payload[:8]) == string(st[:]) {
		return claim(f, "RX", "")
	}
	return NotMine
}

func rxHeader(b []byte) bool {
	typ, ok := byteAt(b, rxTypeOff)
	return ok && len(b) >= rxHeaderLen && typ >= 1 && typ <= rxMaxType
}
