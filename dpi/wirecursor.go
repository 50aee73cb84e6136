package dpi

// wireCursor reads big-endian fields from a message in order. Every read
// checks the remaining length first and reports ok=false instead of
// panicking, so parsers can chain reads and test ok once per step.
type wireCursor struct {
	buf []byte
	off int
}

func (c *wireCursor) remaining() int { return len(c.buf) - c.off }

func (c *wireCursor) u8() (uint8, bool) {
	if c.remaining() < 1 {
		return 0, false
	}
	v := c.buf[c.off]
	c.off++
	return v, true
}

func (c *wireCursor) u16() (uint16, bool) {
	if c.remaining() < 2 {
		return 0, false
	}
	v := uint16(c.buf[c.off])<<8 | uint16(c.buf[c.off+1])
	c.off += 2
	return v, true
}

func (c *wireCursor) u32() (uint32, bool) {
	if c.remaining() < 4 {
		return 0, false
	}
	b := c.buf[c.off : c.off+4]
	c.off += 4
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), true
}

// bytes returns the next n bytes without copying them.
func (c *wireCursor) bytes(n int) ([]byte, bool) {
	if n < 0 || c.remaining() < n {
		return nil, false
	}
	b := c.buf[c.off : c.off+n]
	c.off += n
	return b, true
}

func (c *wireCursor) skip(n int) bool {
	_, ok := c.bytes(n)
	return ok
}

// IP protocol numbers of the transports the dissectors in this package
// tell apart (IANA "Assigned Internet Protocol Numbers").
const (
	ipProtocolTCP = 6
	ipProtocolUDP = 17
)
