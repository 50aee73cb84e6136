package dpi

import (
	"bytes"
	"encoding/binary"
)

// Agora's SD-RTN edge servers receive a 0x21 join request that names the
// edge server in an "SNI" field: the 4-byte tag, then the name's length
// (16 bits, little endian) and the name.
const (
	sdrtnTypeOff = 6
	sdrtnTypeReq = 0x21
	sdrtnTagOff  = 12
	sdrtnNameOff = sdrtnTagOff + 7
)

var sdrtnSNITag = []byte("\x04SNI\x00")

// SDRTN recognises Agora's Software Defined Real-time Network, the media
// transport of the Agora voice and video SDK. The edge server's name in
// the join request becomes the flow's host name.
type SDRTN struct{}

// Name returns nDPI's name for the protocol.
func (SDRTN) Name() string { return "SD-RTN" }

// Inspect claims a UDP flow whose first datagram is a join request.
func (SDRTN) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 17 || len(b) < sdrtnNameOff || b[sdrtnTypeOff] != sdrtnTypeReq {
		return NotMine
	}
	if !bytes.Equal(b[sdrtnTagOff:sdrtnTagOff+len(sdrtnSNITag)], sdrtnSNITag) {
		return NotMine
	}
	n := int(binary.LittleEndian.Uint16(b[sdrtnNameOff-2 : sdrtnNameOff]))
	if n == 0 || sdrtnNameOff+n > len(b) || !printableHostName(b[sdrtnNameOff:sdrtnNameOff+n]) {
		return NotMine
	}
	f.SetResult("SD-RTN", "")
	f.Host = string(b[sdrtnNameOff : sdrtnNameOff+n])
	f.Info = f.Host
	return Done
}

// printableHostName reports whether b holds only the letters, digits,
// hyphens, dots and underscores of a host name.
func printableHostName(b []byte) bool {
	for _, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
