package dpi

import "bytes"

// TFTP opcodes (RFC 1350 section 5) and the option acknowledgment of RFC
// 2347.
const (
	tftpRRQ  = 1
	tftpWRQ  = 2
	tftpData = 3
	tftpAck  = 4
	tftpOACK = 6
	tftpPort = 69
	// tftpMaxData is the largest DATA packet: a 4-byte header and the
	// 512-byte block of RFC 1350. The blksize option of RFC 2348 allows
	// up to 65464 bytes.
	tftpMaxData = 4 + 65464
)

// tftpState tracks a transfer seen from its middle: the block of the
// last DATA packet, which the other side must acknowledge.
type tftpState struct {
	block   uint16
	dataDir Direction
	seen    bool
}

// TFTP recognises the Trivial File Transfer Protocol (RFC 1350): a read
// or write request with its transfer mode, or, on the ports the server
// picks for the transfer, a DATA packet and its acknowledgment.
type TFTP struct{}

// Name returns nDPI's name for the protocol.
func (TFTP) Name() string { return "TFTP" }

// Ports returns the server's well-known port.
func (TFTP) Ports() (tcp, udp []uint16) { return nil, []uint16{tftpPort} }

// Inspect claims a request at once, and a transfer once a DATA packet is
// acknowledged.
func (TFTP) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < 4 || b[0] != 0 {
		return NotMine
	}
	switch b[1] {
	case tftpRRQ, tftpWRQ:
		if !tftpRequest(b[2:]) {
			return NotMine
		}
		f.SetResult("TFTP", "")
		return Done
	case tftpOACK:
		if !tftpOptions(b[2:]) {
			return NotMine
		}
		f.SetResult("TFTP", "")
		return Done
	case tftpData, tftpAck:
		return tftpTransfer(f, p)
	}
	return NotMine
}

// tftpRequest checks the file name and mode of a request (RFC 1350
// section 5): two strings that each end in a zero byte, the mode being
// netascii, octet or mail in any case.
func tftpRequest(b []byte) bool {
	name, rest, ok := bytes.Cut(b, []byte{0})
	if !ok || len(name) == 0 {
		return false
	}
	mode, _, ok := bytes.Cut(rest, []byte{0})
	if !ok {
		return false
	}
	for _, m := range [...]string{"netascii", "octet", "mail"} {
		if bytes.EqualFold(mode, []byte(m)) {
			return true
		}
	}
	return false
}

// tftpOptionNames are the options of RFC 2348 (blksize), RFC 2349
// (timeout, tsize) and RFC 7440 (windowsize).
var tftpOptionNames = [...]string{"blksize", "timeout", "tsize", "windowsize"}

// tftpOptions checks the body of an option acknowledgment (RFC 2347): name
// and value pairs of zero-terminated strings, each name a known option.
func tftpOptions(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for len(b) > 0 {
		name, rest, ok := bytes.Cut(b, []byte{0})
		if !ok || !tftpKnownOption(name) {
			return false
		}
		if _, b, ok = bytes.Cut(rest, []byte{0}); !ok {
			return false
		}
	}
	return true
}

func tftpKnownOption(name []byte) bool {
	for _, o := range tftpOptionNames {
		if bytes.EqualFold(name, []byte(o)) {
			return true
		}
	}
	return false
}

// tftpTransfer follows DATA and ACK packets until one acknowledges the
// block of the DATA packet before it, sent from the other direction.
func tftpTransfer(f *Flow, p *Packet) Verdict {
	b := p.Payload
	st := Scratch[tftpState](f, "TFTP")
	block := uint16(b[2])<<8 | uint16(b[3])
	switch {
	case b[1] == tftpData && len(b) <= tftpMaxData:
		st.block, st.dataDir, st.seen = block, p.Dir, true
		return NeedMore
	case b[1] == tftpAck && len(b) == 4 && st.seen && p.Dir != st.dataDir && block == st.block:
		f.SetResult("TFTP", "")
		return Done
	case b[1] == tftpAck && len(b) == 4 && !st.seen:
		return NeedMore
	}
	return NotMine
}
