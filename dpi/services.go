package dpi

import "bytes"

// streamStart returns the bytes a dissector judges a flow by: the
// datagram for UDP, the direction's stream from its start for TCP.
func streamStart(f *Flow, p *Packet) []byte {
	if f.Protocol == ipProtocolTCP {
		return f.Stream(p.Dir)
	}
	return p.Payload
}

// waitOrReject returns NeedMore while a TCP stream is shorter than need
// and the flow is young, NotMine otherwise.
func waitOrReject(f *Flow, have, need int) Verdict {
	if f.Protocol == ipProtocolTCP && have < need && f.Packets[0]+f.Packets[1] < 4 {
		return NeedMore
	}
	return NotMine
}

// onPort reports whether either endpoint of f uses one of ports.
func onPort(f *Flow, ports ...uint16) bool {
	for _, port := range ports {
		if f.Client.Port() == port || f.Server.Port() == port {
			return true
		}
	}
	return false
}

// Munin recognises the Munin node protocol (munin-node on TCP 4949),
// whose server opens with "# munin node at HOSTNAME". The host name goes
// to Info, as nDPI shows it.
type Munin struct{}

// Name returns "Munin".
func (Munin) Name() string { return "Munin" }

// Ports returns the munin-node port.
func (Munin) Ports() (tcp, udp []uint16) { return []uint16{4949}, nil }

var muninBanner = []byte("# munin node at ")

// Inspect reads the banner from whichever side sent it first.
func (Munin) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	msg := f.Stream(p.Dir)
	if !bytes.HasPrefix(msg, muninBanner) {
		if len(msg) < len(muninBanner) && bytes.HasPrefix(muninBanner, msg) {
			return NeedMore
		}
		if f.Packets[p.Dir] == 1 && f.Packets[1-p.Dir] == 0 {
			return NeedMore // the client may speak first after a lost banner
		}
		return NotMine
	}
	line, _, ok := textLine(msg)
	if !ok {
		return NeedMore
	}
	f.SetResult("Munin", "")
	f.Info = string(bytes.TrimSpace(line[len(muninBanner):]))
	return Done
}

// MySQL recognises the MySQL client/server protocol from the server's
// initial handshake packet (protocol version 10): a 3-byte length that
// covers the packet, sequence id 0, the version byte and a NUL-terminated
// printable server version.
type MySQL struct{}

// Name returns "MySQL".
func (MySQL) Name() string { return "MySQL" }

// Ports returns the MySQL port.
func (MySQL) Ports() (tcp, udp []uint16) { return []uint16{3306}, nil }

// mysqlHandshakeV10 is the protocol version of the initial handshake.
const mysqlHandshakeV10 = 10

// Inspect reads the first packet of the server's stream.
func (MySQL) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if p.Dir == ClientToServer && len(f.Stream(ServerToClient)) == 0 {
		return waitOrReject(f, 0, 1)
	}
	msg := f.Stream(ServerToClient)
	c := wireCursor{buf: msg}
	b, ok := c.bytes(5)
	if !ok {
		return waitOrReject(f, len(msg), 5)
	}
	length := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	if b[3] != 0 || b[4] != mysqlHandshakeV10 || length < 20 || length > 1024 {
		return NotMine
	}
	version, ok := c.bytes(min(c.remaining(), length-1))
	end := bytes.IndexByte(version, 0)
	if !ok || end < 1 || !printable(version[:end]) {
		return waitOrReject(f, len(msg), 4+length)
	}
	f.SetResult("MySQL", "")
	return Done
}

// printable reports whether b is all printable ASCII.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// RESP recognises the Redis serialization protocol (RESP2 and RESP3) from
// a client command sent as an array of bulk strings: "*N\r\n$LEN\r\n".
type RESP struct{}

// Name returns "RESP".
func (RESP) Name() string { return "RESP" }

// Ports returns the Redis port.
func (RESP) Ports() (tcp, udp []uint16) { return []uint16{6379}, nil }

// Inspect reads the first line pair of the client's stream.
func (RESP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP || p.Dir != ClientToServer {
		return waitOrReject(f, 0, 1)
	}
	msg := f.Stream(ClientToServer)
	count, n, ok := textLine(msg)
	if !ok {
		return waitOrReject(f, len(msg), textMaxLine)
	}
	bulk, _, ok := textLine(msg[n:])
	if !ok || !respHeader(count, '*') || !respHeader(bulk, '$') {
		return NotMine
	}
	f.SetResult("RESP", "")
	return Done
}

// respHeader reports whether line is kind followed by 1 to 9 digits.
func respHeader(line []byte, kind byte) bool {
	if len(line) < 2 || len(line) > 10 || line[0] != kind {
		return false
	}
	for _, c := range line[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Cassandra recognises Cassandra's CQL native protocol (versions 3 to 5)
// on its 9-byte frame header, and the inter-node messaging protocol on
// its magic number.
type Cassandra struct{}

// Name returns "Cassandra".
func (Cassandra) Name() string { return "Cassandra" }

// Ports returns the CQL and inter-node ports.
func (Cassandra) Ports() (tcp, udp []uint16) { return []uint16{9042, 7000}, nil }

// cassandraMagic starts the inter-node messaging protocol's frames.
var cassandraMagic = []byte{0xca, 0x55, 0x2d, 0xfa}

// CQL opcodes a client sends first (native protocol specification,
// section 4.1).
const (
	cqlOpStartup = 0x01
	cqlOpOptions = 0x05
)

// Inspect reads the first frame of the client's stream.
func (Cassandra) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP || p.Dir != ClientToServer {
		return waitOrReject(f, 0, 1)
	}
	msg := f.Stream(ClientToServer)
	if bytes.HasPrefix(msg, cassandraMagic) {
		f.SetResult("Cassandra", "")
		return Done
	}
	c := wireCursor{buf: msg}
	version, _ := c.u8()
	flags, _ := c.u8()
	c.skip(2) // stream id
	opcode, _ := c.u8()
	length, ok := c.u32()
	if !ok {
		return waitOrReject(f, len(msg), 9)
	}
	if version < 3 || version > 5 || flags&^0x1f != 0 || (opcode != cqlOpStartup && opcode != cqlOpOptions) ||
		int(length) > c.remaining() {
		return NotMine
	}
	f.SetResult("Cassandra", "")
	return Done
}

// AJP recognises the Apache JServ Protocol 1.3 from its packet headers:
// 0x1234 and a length from the web server, "AB" and a length from the
// servlet container, each followed by a known message code.
type AJP struct{}

// Name returns "AJP".
func (AJP) Name() string { return "AJP" }

// Ports returns the usual AJP ports.
func (AJP) Ports() (tcp, udp []uint16) { return []uint16{8009, 8010}, nil }

// Inspect checks the header of the packet p starts.
func (AJP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	msg := f.Stream(p.Dir)
	c := wireCursor{buf: msg}
	magic, _ := c.u16()
	length, _ := c.u16()
	code, ok := c.u8()
	if !ok {
		return waitOrReject(f, len(msg), 5)
	}
	var known bool
	switch {
	case p.Dir == ClientToServer && magic == 0x1234:
		// Forward Request, Shutdown, Ping, CPing.
		known = code == 2 || code == 7 || code == 8 || code == 10
	case p.Dir == ServerToClient && magic == 0x4142:
		// Send Body Chunk, Send Headers, End Response, Get Body Chunk, CPong.
		known = code >= 3 && code <= 6 || code == 9
	}
	if !known || length == 0 || length > ajpMaxPacket-4 {
		return NotMine
	}
	f.SetResult("AJP", "")
	return Done
}

// ajpMaxPacket is the largest AJP packet, header included.
const ajpMaxPacket = 8192
