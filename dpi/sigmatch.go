package dpi

import "bytes"

// Helpers shared by the dissectors that recognise a protocol from a fixed
// header or magic value in the first packets of a flow.

// eitherPort reports whether the client or the server uses port.
func eitherPort(f *Flow, port uint16) bool {
	return f.Server.Port() == port || f.Client.Port() == port
}

// portIn reports whether the client or the server port lies in [lo, hi].
func portIn(f *Flow, lo, hi uint16) bool {
	s, c := f.Server.Port(), f.Client.Port()
	return (s >= lo && s <= hi) || (c >= lo && c <= hi)
}

// u16At and u32At read big-endian integers at off; ok is false when the
// buffer is too short.
func u16At(b []byte, off int) (uint16, bool) {
	c := wireCursor{buf: b, off: off}
	if off < 0 || off > len(b) {
		return 0, false
	}
	return c.u16()
}

func u32At(b []byte, off int) (uint32, bool) {
	c := wireCursor{buf: b, off: off}
	if off < 0 || off > len(b) {
		return 0, false
	}
	return c.u32()
}

// u32LEAt reads a little-endian 32-bit integer at off.
func u32LEAt(b []byte, off int) (uint32, bool) {
	if off < 0 || len(b)-off < 4 {
		return 0, false
	}
	return uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16 | uint32(b[off+3])<<24, true
}

// byteAt returns b[off], or ok=false past the end.
func byteAt(b []byte, off int) (byte, bool) {
	if off < 0 || off >= len(b) {
		return 0, false
	}
	return b[off], true
}

// hasPrefix reports whether b starts with the string s.
func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}

// firstPayload returns the bytes a dissector tests for a start-of-flow
// signature: the datagram for UDP, the direction's stream for TCP.
func firstPayload(f *Flow, p *Packet) []byte {
	if f.Protocol == ipProtocolTCP {
		return f.Stream(p.Dir)
	}
	return p.Payload
}

// claim records a dissector's result and ends inspection of the flow.
func claim(f *Flow, master, app string) Verdict {
	f.SetResult(master, app)
	return Done
}
