package dpi

// KCP recognises the KCP reliable transport over UDP (github.com/skywind3000/kcp,
// its protocol description): a datagram is one or more segments, each a
// 24-byte little-endian header (conversation, command, fragment, window,
// timestamp, sequence, unacknowledged, data length) and its data. The
// command is one of push (81), ack (82), window probe (83) and window
// size (84). The segments must fill the datagram exactly.
type KCP struct{}

// Name returns "KCP".
func (KCP) Name() string { return "KCP" }

const (
	kcpHeaderLen = 24
	kcpCmdPush   = 81
	kcpCmdWins   = 84
)

// Inspect parses the first datagram's segments.
func (KCP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !kcpSegments(p.Payload) {
		return NotMine
	}
	return claim(f, "KCP", "")
}

// kcpSegments reports whether b is a sequence of whole KCP segments of
// one conversation.
func kcpSegments(b []byte) bool {
	if len(b) < kcpHeaderLen {
		return false
	}
	conv, _ := u32LEAt(b, 0)
	for off := 0; off < len(b); {
		c, ok1 := u32LEAt(b, off)
		cmd, ok2 := byteAt(b, off+4)
		n, ok3 := u32LEAt(b, off+20)
		if !ok1 || !ok2 || !ok3 || c != conv || cmd < kcpCmdPush || cmd > kcpCmdWins {
			return false
		}
		if uint64(n) > uint64(len(b)-off-kcpHeaderLen) {
			return false
		}
		off += kcpHeaderLen + int(n)
	}
	return true
}
