package dpi

// SOME/IP header (AUTOSAR "SOME/IP Protocol Specification"):
// Message ID (32 bits), Length (32 bits, the bytes after it), Request ID
// (32 bits), Protocol Version, Interface Version, Message Type and Return
// Code (8 bits each).
const (
	someIPHeaderLen       = 16
	someIPLengthBase      = 8 // Message ID and Length come before what Length counts
	someIPProtocolVersion = 0x01
	// someIPMaxReturnCode is the last return code the specification
	// reserves (0x00-0x1f generic, 0x20-0x5e interface specific).
	someIPMaxReturnCode = 0x5e
	// someIPTPFlag marks a segment of a message split by SOME/IP-TP.
	someIPTPFlag = 0x20
	someIPSDPort = 30490
)

// someIPMessageTypes are the message types without the TP flag: REQUEST,
// REQUEST_NO_RETURN, NOTIFICATION, RESPONSE and ERROR.
var someIPMessageTypes = [...]byte{0x00, 0x01, 0x02, 0x80, 0x81}

// SOMEIP recognises Scalable service-Oriented MiddlewarE over IP, the
// service protocol of AUTOSAR vehicles, with its Service Discovery.
type SOMEIP struct{}

// Name returns nDPI's name for the protocol.
func (SOMEIP) Name() string { return "SOMEIP" }

// Ports returns the port of SOME/IP Service Discovery.
func (SOMEIP) Ports() (tcp, udp []uint16) {
	return []uint16{someIPSDPort}, []uint16{someIPSDPort}
}

// Inspect claims a flow whose first payload holds a whole SOME/IP
// message, or several in a row, each header valid.
func (SOMEIP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP && f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if !someIPMessages(p.Payload) {
		return NotMine
	}
	f.SetResult("SOMEIP", "")
	return Done
}

// someIPMessages reports whether b is a sequence of whole messages.
func someIPMessages(b []byte) bool {
	if len(b) < someIPHeaderLen {
		return false
	}
	for len(b) > 0 {
		c := wireCursor{buf: b}
		_, ok1 := c.u32()
		length, ok2 := c.u32()
		_, ok3 := c.u32()
		version, _ := c.u8()
		_, _ = c.u8()
		msgType, _ := c.u8()
		code, ok4 := c.u8()
		if !ok1 || !ok2 || !ok3 || !ok4 || length < someIPHeaderLen-someIPLengthBase {
			return false
		}
		if version != someIPProtocolVersion || code > someIPMaxReturnCode || !someIPKnownType(msgType) {
			return false
		}
		end := someIPLengthBase + int64(length)
		if end > int64(len(b)) {
			return false
		}
		b = b[end:]
	}
	return true
}

func someIPKnownType(t byte) bool {
	for _, known := range someIPMessageTypes {
		if t&^someIPTPFlag == known {
			return true
		}
	}
	return false
}
