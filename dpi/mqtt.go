package dpi

// MQTT control packet types (MQTT 3.1.1, OASIS Standard, section 2.2.1;
// MQTT 5.0 keeps the same values).
const (
	mqttConnect  = 1
	mqttPublish  = 3
	mqttPingReq  = 12
	mqttPingResp = 13
	mqttPort     = 1883
	// mqttMaxLengthBytes is the size limit of the Remaining Length field
	// (section 2.2.3).
	mqttMaxLengthBytes = 4
)

// MQTT recognises the MQTT publish/subscribe protocol (MQTT 3.1, 3.1.1
// and 5.0) from a segment that holds exactly one control packet. That
// packet is a CONNECT naming the protocol, a PUBLISH with a printable
// topic, or the two-byte PINGREQ or PINGRESP of an idle session.
type MQTT struct{}

// Name returns nDPI's name for the protocol.
func (MQTT) Name() string { return "MQTT" }

// Ports returns the IANA port of MQTT.
func (MQTT) Ports() (tcp, udp []uint16) { return []uint16{mqttPort}, nil }

// Inspect claims a TCP flow whose first segment in either direction is
// one whole control packet of the kinds above.
func (MQTT) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if !mqttPacket(p.Payload) {
		return NotMine
	}
	f.SetResult("MQTT", "")
	return Done
}

// mqttPacket reports whether b is exactly one control packet whose
// variable header fits the checks of its type.
func mqttPacket(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	remaining, size, ok := mqttRemainingLength(b[1:])
	if !ok || 1+size+remaining != len(b) {
		return false
	}
	body := b[1+size:]
	switch kind, flags := b[0]>>4, b[0]&0x0f; kind {
	case mqttConnect:
		return flags == 0 && mqttConnectHeader(body)
	case mqttPublish:
		return flags&0x06 != 0x06 && mqttTopic(body)
	case mqttPingReq, mqttPingResp:
		return flags == 0 && remaining == 0
	}
	return false
}

// mqttRemainingLength decodes the variable-length integer of section
// 2.2.3: seven bits a byte, least significant first.
func mqttRemainingLength(b []byte) (value, size int, ok bool) {
	shift := 0
	for i := 0; i < mqttMaxLengthBytes && i < len(b); i++ {
		value |= int(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return value, i + 1, true
		}
		shift += 7
	}
	return 0, 0, false
}

// mqttConnectHeader checks the protocol name and level of a CONNECT
// (section 3.1.2.1): "MQTT" with levels 4 and 5, or "MQIsdp" of MQTT 3.1
// with level 3.
func mqttConnectHeader(body []byte) bool {
	c := wireCursor{buf: body}
	n, ok1 := c.u16()
	name, ok2 := c.bytes(int(n))
	level, ok3 := c.u8()
	if !ok1 || !ok2 || !ok3 {
		return false
	}
	switch string(name) {
	case "MQTT":
		return level == 4 || level == 5
	case "MQIsdp":
		return level == 3
	}
	return false
}

// mqttTopic checks that a PUBLISH starts with a non-empty printable topic
// name (section 3.3.2.1) that fits in the packet.
func mqttTopic(body []byte) bool {
	c := wireCursor{buf: body}
	n, ok := c.u16()
	if !ok || n == 0 {
		return false
	}
	topic, ok := c.bytes(int(n))
	if !ok {
		return false
	}
	for _, ch := range topic {
		if ch < 0x20 || ch >= 0x7f {
			return false
		}
	}
	return true
}
