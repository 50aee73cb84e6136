package dpi

import "encoding/binary"

// avastHeaderLen is the size of the header that opens every message of
// AVAST's update and reputation protocol: the magic "NOSA" ("ASON"
// reversed) and the message length, 16 bits big endian, header included.
// The layout is taken from captures of the antivirus, as AVAST publishes
// no specification.
const avastHeaderLen = 6

// AVAST recognises the binary protocol AVAST's antivirus speaks over TCP
// port 80 to its servers, which is not HTTP although it uses HTTP's port.
type AVAST struct{}

// Name returns nDPI's name for the protocol.
func (AVAST) Name() string { return "AVAST" }

// Ports returns the port the antivirus connects to.
func (AVAST) Ports() (tcp, udp []uint16) { return []uint16{80}, nil }

// Inspect claims a TCP flow whose first segment is one whole message: the
// magic, then a length equal to the segment's size.
func (AVAST) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolTCP || len(b) < avastHeaderLen || string(b[:4]) != "NOSA" {
		return NotMine
	}
	if int(binary.BigEndian.Uint16(b[4:6])) != len(b) {
		return NotMine
	}
	f.SetResult("AVAST", "")
	return Done
}
