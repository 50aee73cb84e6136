package dpi

// Viber's protocols are not published; the layouts used here are taken
// from captures of the Android client. Over TCP, to its servers' ports
// 4244, 5242 and 5243, a message opens with its length (16 bits, little
// endian, the whole message) and carries 0xfc 0xff at offsets 6 and 7.
// Over UDP, to ports 7985 and 7987, a datagram carries a 16-bit session
// tag, then a message type (16 bits, little endian) of a handful of
// values.
const (
	viberHeaderLen = 8
	viberMarker    = 0xfffc // bytes 0xfc 0xff read little endian
)

// viberUDPPorts are the ports of Viber's UDP servers, and viberUDPTypes
// the message types seen on them.
var (
	viberUDPPorts = [...]uint16{7985, 7987}
	viberUDPTypes = [...]uint16{0x01, 0x09, 0x11, 0x19, 0x1a}
)

// Viber recognises the messaging and call signalling of Viber.
type Viber struct{}

// Name returns nDPI's name for the application.
func (Viber) Name() string { return "Viber" }

// Ports returns the servers' TCP and UDP ports.
func (Viber) Ports() (tcp, udp []uint16) {
	return []uint16{4244, 5242, 5243}, viberUDPPorts[:]
}

// Inspect claims a TCP flow whose first segment is one whole message with
// the marker, or a UDP flow to a Viber port whose datagram has a known
// message type.
func (Viber) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if len(b) < viberHeaderLen {
		return NotMine
	}
	length, marker := int(b[0])|int(b[1])<<8, uint16(b[6])|uint16(b[7])<<8
	var ok bool
	switch f.Protocol {
	case ipProtocolTCP:
		ok = length == len(b) && marker == viberMarker
	case ipProtocolUDP:
		ok = viberUDPPort(f.Server.Port()) && viberUDPType(uint16(b[2])|uint16(b[3])<<8)
	}
	if !ok {
		return NotMine
	}
	f.SetResult("Viber", "")
	return Done
}

func viberUDPPort(port uint16) bool {
	for _, p := range viberUDPPorts {
		if port == p {
			return true
		}
	}
	return false
}

func viberUDPType(t uint16) bool {
	for _, known := range viberUDPTypes {
		if t == known {
			return true
		}
	}
	return false
}
