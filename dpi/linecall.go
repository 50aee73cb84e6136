package dpi

// LINE's voice and video calls run over UDP in a format LINE does not
// publish. In captures of the Android client every call flow opens with a
// datagram whose high nibble is 0xd and whose bytes 4 and 5 are 0x06 0x02,
// in either direction.
const (
	lineCallNibble = 0xd0
	lineCallMinLen = 6
)

// LineCall recognises the calls of the LINE messenger.
type LineCall struct{}

// Name returns nDPI's name for the application.
func (LineCall) Name() string { return "LineCall" }

// Inspect claims a UDP flow whose first datagram has the call header.
func (LineCall) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < lineCallMinLen {
		return NotMine
	}
	if b[0]&0xf0 != lineCallNibble || b[4] != 0x06 || b[5] != 0x02 {
		return NotMine
	}
	f.SetResult("LineCall", "")
	return Done
}
