package dpi

// Ubiquiti's device discovery runs on UDP port 10001. A version 1 query
// is the four bytes 01 00 00 00. A version 2 packet (and a version 1
// reply) has a version byte, a command byte and a 16-bit length of what
// follows, made of TLVs with an 8-bit type and a 16-bit length. The
// layout is taken from captures, as Ubiquiti publishes no specification.
const (
	ubntPort      = 10001
	ubntHeaderLen = 4
	ubntTLVHeader = 3
)

// UBNTAC2 recognises the discovery protocol of Ubiquiti devices.
type UBNTAC2 struct{}

// Name returns nDPI's name for the protocol.
func (UBNTAC2) Name() string { return "UBNTAC2" }

// Ports returns the discovery port.
func (UBNTAC2) Ports() (tcp, udp []uint16) { return nil, []uint16{ubntPort} }

// Inspect claims a UDP flow on the discovery port whose datagram is a
// query or an announcement whose TLVs fill its stated length.
func (UBNTAC2) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || (f.Server.Port() != ubntPort && f.Client.Port() != ubntPort) {
		return NotMine
	}
	if !ubntMessage(p.Payload) {
		return NotMine
	}
	f.SetResult("UBNTAC2", "")
	return Done
}

func ubntMessage(b []byte) bool {
	if string(b) == "\x01\x00\x00\x00" {
		return true
	}
	if len(b) < ubntHeaderLen+ubntTLVHeader || (b[0] != 1 && b[0] != 2) {
		return false
	}
	if int(b[2])<<8|int(b[3]) != len(b)-ubntHeaderLen {
		return false
	}
	for c := (wireCursor{buf: b, off: ubntHeaderLen}); c.remaining() > 0; {
		_, ok1 := c.u8()
		n, ok2 := c.u16()
		if !ok1 || !ok2 || !c.skip(int(n)) {
			return false
		}
	}
	return true
}
