package dpi

// Apache Thrift messages (Thrift "Binary protocol encoding" and "Compact
// protocol encoding" specifications) start with a header that names the
// called method.
//   - Binary, strict form: 0x80 0x01 (version 1), a zero byte, the message
//     type (1 call, 2 reply, 3 exception, 4 oneway), then the name as a
//     32-bit length and bytes. The framed transport puts a 32-bit frame
//     length before it.
//   - Compact: protocol ID 0x82, then a byte with the type in the top 3
//     bits and version 1 in the low 5, the sequence ID as a varint, and
//     the name as a varint length and bytes.
const (
	thriftBinaryVersion = 0x8001
	thriftCompactID     = 0x82
	thriftCompactVer    = 1
	thriftMaxType       = 4
	thriftMaxNameLen    = 256
	thriftFrameHeader   = 4
	thriftMaxVarintLen  = 5
)

// Thrift recognises Apache Thrift RPC over TCP and UDP.
type Thrift struct{}

// Name returns nDPI's name for the protocol.
func (Thrift) Name() string { return "Thrift" }

// Inspect claims a flow whose first payload is a Thrift message header,
// in the binary or the compact encoding, with a printable method name.
func (Thrift) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolTCP && f.Protocol != ipProtocolUDP {
		return NotMine
	}
	ok := thriftBinary(b) || thriftCompact(b)
	if !ok && f.Protocol == ipProtocolTCP && len(b) > thriftFrameHeader {
		ok = thriftBinary(b[thriftFrameHeader:])
	}
	if !ok {
		return NotMine
	}
	f.SetResult("Thrift", "")
	return Done
}

func thriftBinary(b []byte) bool {
	c := wireCursor{buf: b}
	version, ok1 := c.u16()
	zero, _ := c.u8()
	typ, _ := c.u8()
	n, ok2 := c.u32()
	if !ok1 || !ok2 || version != thriftBinaryVersion || zero != 0 || typ == 0 || typ > thriftMaxType {
		return false
	}
	if n == 0 || n > thriftMaxNameLen {
		return false
	}
	name, ok := c.bytes(int(n))
	return ok && thriftName(name)
}

func thriftCompact(b []byte) bool {
	if len(b) < 4 || b[0] != thriftCompactID || b[1]&0x1f != thriftCompactVer {
		return false
	}
	if typ := b[1] >> 5; typ == 0 || typ > thriftMaxType {
		return false
	}
	_, seqSize := thriftVarint(b[2:])
	if seqSize == 0 {
		return false
	}
	rest := b[2+seqSize:]
	n, size := thriftVarint(rest)
	if size == 0 || n == 0 || n > thriftMaxNameLen || len(rest) < size+int(n) {
		return false
	}
	return thriftName(rest[size : size+int(n)])
}

// thriftVarint decodes an unsigned LEB128 varint of up to five bytes and
// returns its size, 0 when it is invalid.
func thriftVarint(b []byte) (value uint32, size int) {
	for i := 0; i < thriftMaxVarintLen && i < len(b); i++ {
		value |= uint32(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return value, i + 1
		}
	}
	return 0, 0
}

// thriftName reports whether a method name is an identifier: letters,
// digits, underscores and dots.
func thriftName(name []byte) bool {
	for _, c := range name {
		if !httpIsAlpha(c) && !httpIsDigit(c) && c != '_' && c != '.' {
			return false
		}
	}
	return len(name) > 0
}
