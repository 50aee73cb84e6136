package dpi

// HPVirtGrp recognises the framing of HP's virtual group service on TCP
// port 5223, as seen in nDPI's test captures: each message starts with a
// type byte and a 16-bit big-endian length that counts the whole message.
// The client opens with type 0x16 and the server answers with type 0x17.
// NOTE: no public specification exists; the check follows those captures.
type HPVirtGrp struct{}

// Name returns "HP_VIRTGRP".
func (HPVirtGrp) Name() string { return "HP_VIRTGRP" }

const (
	hpVirtGrpHello  = 0x16
	hpVirtGrpAnswer = 0x17
	hpVirtGrpMinLen = 4
)

// Inspect checks the first message of each direction.
func (HPVirtGrp) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if !hpVirtGrpMessage(f.Stream(ClientToServer), hpVirtGrpHello) {
		return NotMine
	}
	if f.Packets[ServerToClient] == 0 {
		return NeedMore
	}
	if !hpVirtGrpMessage(f.Stream(ServerToClient), hpVirtGrpAnswer) {
		return NotMine
	}
	return claim(f, "HP_VIRTGRP", "")
}

// hpVirtGrpMessage reports whether b starts with one whole message of
// type typ, its length being the segment's.
func hpVirtGrpMessage(b []byte, typ byte) bool {
	t, ok1 := byteAt(b, 0)
	n, ok2 := u16At(b, 1)
	// TLS records share the type values but carry version 3.x where this
	// framing has its length, so a TLS record of 0x300-0x3ff bytes would
	// need exactly that many bytes to be mistaken for it.
	return ok1 && ok2 && t == typ && n >= hpVirtGrpMinLen && int(n) <= len(b) && b[1] != 0x03
}
