package dpi

import "encoding/binary"

// eaqPort is the UDP port of the EAQ measurement servers.
const eaqPort = 6000

// EAQ probes are 16-byte datagrams: a sequence number, a packet id, a
// timestamp and a direction marker, 0x9000 from the client and 0x6000 in
// the server's echo.
const (
	eaqProbeLen      = 16
	eaqMarkerRequest = 0x00009000
	eaqMarkerReply   = 0x00006000
)

// EAQ recognises the probes of EAQ, the broadband quality measurement of
// Brazil's telecom regulator Anatel.
type EAQ struct{}

// Name returns nDPI's name for the protocol.
func (EAQ) Name() string { return "EAQ" }

// Ports returns the measurement servers' port.
func (EAQ) Ports() (tcp, udp []uint16) { return nil, []uint16{eaqPort} }

// eaqState remembers the sequence number of the last probe.
type eaqState struct {
	seq uint32
}

// Inspect claims a UDP flow after two probes in a row: a client's probe
// and its echo with the same sequence number, or two client probes with
// consecutive numbers.
func (EAQ) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 17 || len(b) != eaqProbeLen {
		return NotMine
	}
	marker := binary.BigEndian.Uint32(b[12:16])
	if marker != eaqMarkerRequest && marker != eaqMarkerReply {
		return NotMine
	}
	seq := binary.BigEndian.Uint32(b[0:4])
	st := Scratch[eaqState](f, "EAQ")
	if f.Packets[0]+f.Packets[1] == 1 {
		st.seq = seq
		return NeedMore
	}
	if seq != st.seq && seq != st.seq+1 {
		return NotMine
	}
	f.SetResult("EAQ", "")
	return Done
}
