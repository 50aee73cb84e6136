package dpi

// TPLinkSHP recognises TP-Link's Smart Home Protocol, spoken by its Kasa
// plugs and bulbs on port 9999: a JSON document "encrypted" with an
// autokey XOR cipher whose first key is 171 and whose every next key is
// the previous cipher byte. Over UDP a datagram is one document; over
// TCP each document follows a 32-bit big-endian length.
type TPLinkSHP struct{}

// Name returns "TPLINK_SHP".
func (TPLinkSHP) Name() string { return "TPLINK_SHP" }

// Ports returns the Smart Home Protocol's port.
func (TPLinkSHP) Ports() (tcp, udp []uint16) { return []uint16{9999}, []uint16{9999} }

const (
	tplinkFirstKey = 171
	// tplinkCheckLen is how many plain-text bytes are checked.
	tplinkCheckLen = 8
)

// Inspect decrypts the start of the first message.
func (TPLinkSHP) Inspect(f *Flow, p *Packet) Verdict {
	b := firstPayload(f, p)
	if f.Protocol == ipProtocolTCP {
		n, ok := u32At(b, 0)
		if !ok || n < tplinkCheckLen || n > 1<<20 {
			return NotMine
		}
		b = b[4:]
	}
	if len(b) < tplinkCheckLen || !tplinkLooksJSON(b[:tplinkCheckLen]) {
		return NotMine
	}
	return claim(f, "TPLINK_SHP", "")
}

// tplinkLooksJSON reports whether cipher text decrypts to the start of a
// JSON object: '{', then printable ASCII, with a '"' before any ':'.
func tplinkLooksJSON(cipher []byte) bool {
	key := byte(tplinkFirstKey)
	quoted := false
	for i, c := range cipher {
		plain := c ^ key
		key = c
		switch {
		case i == 0:
			if plain != '{' {
				return false
			}
		case plain < 0x20 || plain > 0x7e:
			return false
		case plain == '"':
			quoted = true
		case plain == ':' && !quoted:
			return false
		}
	}
	return quoted
}
