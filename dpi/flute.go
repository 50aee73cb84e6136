package dpi

// FLUTE recognises File Delivery over Unidirectional Transport (RFC 6726)
// by a datagram that carries the start of a File Delivery Table, as nDPI
// 4.x (protocols/flute.c) does. The datagram has more than 250 bytes and
// an LCT header (RFC 5651) of version 1 with no flags set in its first
// byte. Its header length, in 32-bit words, is the third byte. After the
// header and 4 bytes of FEC payload ID comes the XML declaration ("<?xml"),
// and 39 bytes further the "<FDT" element.
type FLUTE struct{}

const (
	fluteMinLen       = 251
	fluteLCTFirstByte = 0x10
	// fluteFDTAfterXML is the offset of "<FDT" after "<?xml": the length
	// of the XML declaration nDPI expects.
	fluteFDTAfterXML = 39
	fluteFECIDLen    = 4
)

// Name returns nDPI's name for the protocol.
func (FLUTE) Name() string { return "FLUTE" }

// Inspect checks the flow's first datagram.
func (FLUTE) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < fluteMinLen || b[0] != fluteLCTFirstByte {
		return NotMine
	}
	xml := int(b[2])*4 + fluteFECIDLen
	fdt := xml + fluteFDTAfterXML
	if len(b) <= fdt+len("<FDT") || !hasPrefix(b[xml:], "<?xml") || !hasPrefix(b[fdt:], "<FDT") {
		return NotMine
	}
	return claim(f, "FLUTE", "")
}
