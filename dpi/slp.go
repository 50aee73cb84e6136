package dpi

import "encoding/binary"

// slpPort is the Service Location Protocol's port on TCP and UDP.
const slpPort = 427

// SLP header sizes and limits of RFC 2165 (version 1) and RFC 2608
// (version 2).
const (
	slpV1HeaderLen   = 12
	slpV2HeaderLen   = 14
	slpV1MaxFunction = 10 // SrvTypeRply
	slpV2MaxFunction = 11 // SAAdvert
	slpV2FlagsMask   = 0xe000
)

// SLP recognises the Service Location Protocol: version 1 (RFC 2165
// section 7) and version 2 (RFC 2608 section 8). It checks the message
// header (version, function id, length and language tag) of a datagram
// or of the first TCP segment.
type SLP struct{}

// Name returns nDPI's name for the protocol.
func (SLP) Name() string { return "Service_Location_Protocol" }

// Ports returns SLP's registered port on TCP and UDP.
func (SLP) Ports() (tcp, udp []uint16) { return []uint16{slpPort}, []uint16{slpPort} }

// Inspect claims the flow when its first payload is an SLP header.
func (SLP) Inspect(f *Flow, p *Packet) Verdict {
	exact := f.Protocol != 6
	var ok bool
	switch {
	case len(p.Payload) > 0 && p.Payload[0] == 2:
		ok = slpV2Header(p.Payload, exact)
	case len(p.Payload) > 0 && p.Payload[0] == 1:
		ok = slpV1Header(p.Payload, exact)
	}
	if !ok {
		return NotMine
	}
	f.SetResult("Service_Location_Protocol", "")
	return Done
}

// slpV2Header checks an RFC 2608 section 8 header: Function-ID, Length
// (24 bits), flags with zero reserved bits, and a language tag that fits.
// A datagram holds exactly one message (exact); a TCP segment may hold
// its start only.
func slpV2Header(b []byte, exact bool) bool {
	if len(b) < slpV2HeaderLen {
		return false
	}
	if b[1] == 0 || b[1] > slpV2MaxFunction {
		return false
	}
	length := int(b[2])<<16 | int(b[3])<<8 | int(b[4])
	if !slpLengthFits(length, len(b), exact) {
		return false
	}
	if binary.BigEndian.Uint16(b[5:7])&^slpV2FlagsMask != 0 {
		return false
	}
	tagLen := int(binary.BigEndian.Uint16(b[12:14]))
	if tagLen == 0 || slpV2HeaderLen+tagLen > length {
		return false
	}
	return slpLanguageTag(b[slpV2HeaderLen:min(len(b), slpV2HeaderLen+tagLen)])
}

// slpV1Header checks an RFC 2165 section 7 header: Function, Length
// (16 bits), a Dialect of zero and a two-letter language code.
func slpV1Header(b []byte, exact bool) bool {
	if len(b) < slpV1HeaderLen {
		return false
	}
	if b[1] == 0 || b[1] > slpV1MaxFunction {
		return false
	}
	length := int(binary.BigEndian.Uint16(b[2:4]))
	if !slpLengthFits(length, len(b), exact) {
		return false
	}
	if b[5] != 0 {
		return false
	}
	return slpLanguageTag(b[6:8])
}

func slpLengthFits(length, have int, exact bool) bool {
	if exact {
		return length == have
	}
	return length >= have
}

// slpLanguageTag reports whether tag looks like an RFC 1766 language tag:
// letters, digits and hyphens, starting with a letter.
func slpLanguageTag(tag []byte) bool {
	if len(tag) == 0 || !isASCIILetter(tag[0]) {
		return false
	}
	for _, c := range tag {
		if !isASCIILetter(c) && c != '-' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
