package dpi

// CoAP message header (RFC 7252 section 3): version (2 bits, 1), type
// (2 bits), token length (4 bits, 0 to 8), code (3-bit class, 5-bit
// detail) and message ID (16 bits), then the token and the options.
const (
	coapHeaderLen   = 4
	coapVersion     = 1
	coapMaxToken    = 8
	coapPort        = 5683
	coapSecurePort  = 5684
	coapPayloadMark = 0xff
	coapReservedLen = 15
)

// COAP recognises the Constrained Application Protocol. Its four-byte
// header is too loose to tell it from other UDP traffic alone, so only
// flows to the CoAP ports of RFC 7252 section 12.8 are inspected.
type COAP struct{}

// Name returns nDPI's name for the protocol.
func (COAP) Name() string { return "COAP" }

// Ports returns the ports of CoAP and of CoAP over DTLS.
func (COAP) Ports() (tcp, udp []uint16) { return nil, []uint16{coapPort, coapSecurePort} }

// Inspect claims a UDP flow to a CoAP port whose datagram is a valid
// CoAP message.
func (COAP) Inspect(f *Flow, p *Packet) Verdict {
	port := f.Server.Port()
	if f.Protocol != ipProtocolUDP || (port != coapPort && port != coapSecurePort) {
		return NotMine
	}
	if !coapMessage(p.Payload) {
		return NotMine
	}
	f.SetResult("COAP", "")
	return Done
}

// coapMessage checks the header, the code's class (requests 0, responses
// 2, 4 and 5), the token, and that the options run up to the payload
// marker or the end.
func coapMessage(b []byte) bool {
	if len(b) < coapHeaderLen || b[0]>>6 != coapVersion {
		return false
	}
	tokenLen, class := int(b[0]&0x0f), b[1]>>5
	if tokenLen > coapMaxToken || (class != 0 && class != 2 && class != 4 && class != 5) {
		return false
	}
	if b[1] == 0 { // an Empty message has no token and nothing after the header
		return tokenLen == 0 && len(b) == coapHeaderLen
	}
	if len(b) < coapHeaderLen+tokenLen {
		return false
	}
	return coapOptions(b[coapHeaderLen+tokenLen:])
}

// coapOptions walks the options (RFC 7252 section 3.1): a byte holding the
// delta and length nibbles, their extended forms, then the value.
func coapOptions(b []byte) bool {
	for len(b) > 0 {
		if b[0] == coapPayloadMark {
			return len(b) > 1
		}
		delta, length := int(b[0]>>4), int(b[0]&0x0f)
		if delta == coapReservedLen || length == coapReservedLen {
			return false
		}
		c := wireCursor{buf: b, off: 1}
		if _, ok := coapExtendValue(&c, delta); !ok {
			return false
		}
		n, ok := coapExtendValue(&c, length)
		if !ok || !c.skip(n) {
			return false
		}
		b = b[c.off:]
	}
	return true
}

// coapExtendValue reads the value a delta or length nibble stands for: itself below 13,
// 13 plus one more byte, or 269 plus two more bytes.
func coapExtendValue(c *wireCursor, nibble int) (int, bool) {
	switch nibble {
	case 13:
		v, ok := c.u8()
		return 13 + int(v), ok
	case 14:
		v, ok := c.u16()
		return 269 + int(v), ok
	}
	return nibble, true
}
