package dpi

// IMO recognises the UDP calls of the imo.im messenger in the first ten
// datagrams of a flow, as nDPI 4.x (protocols/imo.c) does. A call shows
// one of these datagrams:
//   - two consecutive one-byte datagrams with the same byte;
//   - 10 bytes that open with 0x09 0x02;
//   - 11 bytes that open with 0x00 0x09 0x03;
//   - 1099 bytes that open with 0x88 0x49 0x1a 0x00.
type IMO struct{}

const imoMaxPackets = 10

// imoState is the byte of the previous datagram when it was one byte long.
type imoState struct {
	lastOneByte bool
	lastByte    byte
}

// Name returns nDPI's name for the application.
func (IMO) Name() string { return "IMO" }

// Inspect checks each of the first datagrams.
func (IMO) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	b := p.Payload
	switch {
	case len(b) == 1:
		st := Scratch[imoState](f, "IMO")
		if st.lastOneByte && st.lastByte == b[0] {
			return claim(f, "IMO", "")
		}
		st.lastOneByte, st.lastByte = true, b[0]
	case len(b) == 10 && hasPrefix(b, "\x09\x02"),
		len(b) == 11 && hasPrefix(b, "\x00\x09\x03"),
		len(b) == 1099 && hasPrefix(b, "\x88\x49\x1a\x00"):
		return claim(f, "IMO", "")
	default:
		if f.Packets[0]+f.Packets[1] > imoMaxPackets {
			return NotMine
		}
		// Only a flow that sent a one-byte datagram has state to reset.
		if st, ok := f.scratchValue("IMO").(*imoState); ok {
			st.lastOneByte = false
		}
	}
	return NeedMore
}
