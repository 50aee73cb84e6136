package dpi

// ZUG recognises the UDP datagrams of the ZUG cryptocurrency network on
// port 19000, as seen in captures: a 16-bit big-endian length of the
// whole datagram, then the bytes "UG" and 0x10. Only datagrams sent to
// port 19000 count: nDPI 4.x leaves those sent from it unnamed.
// NOTE: no public specification exists; the check follows captures.
type ZUG struct{}

// Ports returns the port ZUG's peers listen on.
func (ZUG) Ports() (tcp, udp []uint16) { return nil, []uint16{zugPort} }

// Name returns "ZUG".
func (ZUG) Name() string { return "ZUG" }

const (
	zugHeaderLen = 8
	zugPort      = 19000
)

// Inspect checks the first datagram's length and magic.
func (ZUG) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	total, ok1 := u16At(b, 0)
	if f.Protocol != ipProtocolUDP || f.Server.Port() != zugPort || !ok1 || int(total) != len(b) || len(b) < zugHeaderLen {
		return NotMine
	}
	if string(b[2:5]) != "UG\x10" {
		return NotMine
	}
	return claim(f, "ZUG", "")
}
