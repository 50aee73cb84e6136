package dpi

// EDonkey recognises the eDonkey and eMule peer-to-peer protocols when
// both endpoints send a message with the eDonkey header: the protocol
// byte (0xe3 eDonkey, 0xc5 eMule extensions), then a 32-bit little-endian
// length whose second and third bytes are zero. nDPI 4.x (protocols/edonkey.c)
// waits for such a request and reply the same way, within the first five
// packets.
// NOTE: nDPI also accepts a list of fixed opcodes and sizes of eMule's
// compressed (0xd4) and Kad (0xe4, 0xe5) messages, which flowlens does
// not check yet, so those flows stay unnamed.
type EDonkey struct{}

const (
	eDonkeyProtocol   = 0xe3
	eMuleProtocol     = 0xc5
	eDonkeyHeaderLen  = 4
	eDonkeyMaxPackets = 5
)

// eDonkeyState is the direction of the first message with the header.
type eDonkeyState struct {
	sawRequest bool
	requestDir Direction
}

// Name returns nDPI's name for the protocol.
func (EDonkey) Name() string { return "eDonkey" }

// Inspect waits for a message with the header in each direction.
func (EDonkey) Inspect(f *Flow, p *Packet) Verdict {
	// A flow gets past its first packet only when that packet had the
	// header, so Scratch allocates once, for such flows only.
	if f.Packets[0]+f.Packets[1] == 1 && !eDonkeyHeader(p.Payload) {
		return NotMine
	}
	st := Scratch[eDonkeyState](f, "eDonkey")
	switch {
	case !st.sawRequest:
		if !eDonkeyHeader(p.Payload) {
			return NotMine
		}
		st.sawRequest, st.requestDir = true, p.Dir
	case p.Dir != st.requestDir:
		if eDonkeyHeader(p.Payload) {
			return claim(f, "eDonkey", "")
		}
		st.sawRequest = false
	}
	if f.Packets[0]+f.Packets[1] >= eDonkeyMaxPackets {
		return NotMine
	}
	return NeedMore
}

// eDonkeyHeader reports whether b opens with an eDonkey or eMule header.
func eDonkeyHeader(b []byte) bool {
	return len(b) >= eDonkeyHeaderLen && (b[0] == eDonkeyProtocol || b[0] == eMuleProtocol) && b[2] == 0 && b[3] == 0
}
