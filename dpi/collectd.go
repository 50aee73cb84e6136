package dpi

// collectd's binary network protocol (collectd wiki, "Binary protocol")
// sends parts that each start with a type and a length (16 bits each,
// the length counting this 4-byte header).
const (
	collectdPartHeader = 4
	collectdPort       = 25826
	collectdPartHost   = 0x0000
	collectdMaxHostLen = 255
)

// collectdFirstParts are the part types a plain datagram opens with:
// host, time, plugin, plugin instance, type, type instance, values,
// interval, high resolution time and interval, message and severity.
// Signed (0x0200) and encrypted (0x0210) datagrams are left unnamed, as
// nDPI leaves them.
var collectdFirstParts = [...]uint16{
	0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009,
	0x0100, 0x0101,
}

// Collectd recognises the statistics that the collectd daemon sends over
// UDP to its network plugin's listeners.
type Collectd struct{}

// Name returns nDPI's name for the protocol.
func (Collectd) Name() string { return "collectd" }

// Ports returns the network plugin's default port.
func (Collectd) Ports() (tcp, udp []uint16) { return nil, []uint16{collectdPort} }

// Inspect claims a UDP flow whose datagram opens with a known part and is
// made of parts whose lengths add up to its size. Later parts may be of
// types this list does not know, such as those of plugins.
// The host name of the first host part becomes the flow's host, as nDPI
// shows it.
func (Collectd) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !collectdParts(p.Payload) {
		return NotMine
	}
	f.SetResult("collectd", "")
	if host := collectdHost(p.Payload); host != "" {
		f.Host, f.Info = host, host
	}
	return Done
}

// collectdHost returns the value of the first part if it is a host part:
// a zero-terminated string (collectd's string parts end in a zero byte).
func collectdHost(b []byte) string {
	c := wireCursor{buf: b}
	typ, _ := c.u16()
	length, ok := c.u16()
	if !ok || typ != collectdPartHost || length <= collectdPartHeader+1 {
		return ""
	}
	value, ok := c.bytes(int(length) - collectdPartHeader)
	if !ok || len(value) > collectdMaxHostLen+1 || value[len(value)-1] != 0 {
		return ""
	}
	for _, ch := range value[:len(value)-1] {
		if ch <= ' ' || ch >= 0x7f {
			return ""
		}
	}
	return string(value[:len(value)-1])
}

func collectdParts(b []byte) bool {
	if len(b) < collectdPartHeader {
		return false
	}
	first := uint16(b[0])<<8 | uint16(b[1])
	if !collectdKnownFirstPart(first) {
		return false
	}
	for c := (wireCursor{buf: b}); c.remaining() > 0; {
		_, ok1 := c.u16()
		length, ok2 := c.u16()
		if !ok1 || !ok2 || length < collectdPartHeader {
			return false
		}
		if !c.skip(int(length) - collectdPartHeader) {
			return false
		}
	}
	return true
}

func collectdKnownFirstPart(typ uint16) bool {
	for _, t := range collectdFirstParts {
		if typ == t {
			return true
		}
	}
	return false
}
