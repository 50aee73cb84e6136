package dpi

// MongoDB recognises MongoDB's wire protocol (the MongoDB manual, "Wire
// Protocol", "Standard Message Header"): every message starts with a
// 16-byte little-endian header of message length, request id, the id it
// responds to and an operation code.
type MongoDB struct{}

// Name returns "MongoDB".
func (MongoDB) Name() string { return "MongoDB" }

// Ports returns MongoDB's TCP port.
func (MongoDB) Ports() (tcp, udp []uint16) { return []uint16{27017}, nil }

const (
	mongoHeaderLen  = 16
	mongoMaxMessage = 48 << 20
	opReply         = 1
	opQuery         = 2004
	opGetMore       = 2005
	opCompressed    = 2012
	opMsg           = 2013
)

// Inspect checks the header of the client's first message.
func (MongoDB) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if p.Dir != ClientToServer {
		return NeedMore
	}
	b := f.Stream(ClientToServer)
	n, ok1 := u32LEAt(b, 0)
	responseTo, ok2 := u32LEAt(b, 8)
	op, ok3 := u32LEAt(b, 12)
	if !ok1 || !ok2 || !ok3 || n < mongoHeaderLen+4 || n > mongoMaxMessage || int64(n) > int64(len(b)) {
		return NotMine
	}
	if responseTo != 0 || (op != opQuery && op != opMsg && op != opCompressed && op != opGetMore) {
		return NotMine
	}
	return claim(f, "MongoDB", "")
}
