package capture

import "fmt"

// readPacketBlock reads an enhanced packet block or an obsolete packet
// block after its block total length. Both start with a 20-byte header:
// interface id, high and low timestamp words, captured and original
// length. The obsolete block splits the interface id field into a 16-bit
// id and a 16-bit drop count.
func (r *pcapngReader) readPacketBlock(p *Packet, start int64, length, blockType uint32) error {
	const fixed = 20
	if err := r.checkBlockLength(start, length, blockOverhead+fixed); err != nil {
		return err
	}
	// A packet block holds at most the largest accepted packet and options
	// as large as a metadata block. A longer one is a damaged length, which
	// would otherwise read as a file cut inside the block.
	if maxLength := uint32(blockOverhead + fixed + maxCaptureLength + maxMetadataBlock); length > maxLength {
		return r.s.formatError(start, "pcapng packet block length %d exceeds the maximum %d", length, maxLength)
	}
	h := r.scratch[:fixed]
	if _, err := r.s.readFull(h); err != nil {
		return r.s.fail(start, "a pcapng packet block", err)
	}

	id := r.order.Uint32(h[0:4])
	if blockType == blockTypePacket {
		id = uint32(r.order.Uint16(h[0:2]))
	}
	iface, err := r.iface(start, id)
	if err != nil {
		return err
	}
	timestamp := uint64(r.order.Uint32(h[4:8]))<<32 | uint64(r.order.Uint32(h[8:12]))
	caplen, wirelen := r.order.Uint32(h[12:16]), r.order.Uint32(h[16:20])

	room := length - blockOverhead - fixed
	if err := r.readData(start, caplen, room); err != nil {
		return err
	}
	*p = Packet{
		Data:          r.buf,
		CaptureLength: int(caplen),
		WireLength:    int(wirelen),
		LinkType:      iface.link,
		Timestamp:     iface.clock.nanos(timestamp),
		Offset:        start,
	}
	return r.finishBlock(start, length)
}

// readSimplePacketBlock reads a simple packet block after its block total
// length. Its packet belongs to the section's first interface. It carries
// no timestamp, so the packet's Timestamp is 0, and no captured length:
// that is the original length cut to the interface's snapshot length.
func (r *pcapngReader) readSimplePacketBlock(p *Packet, start int64, length uint32) error {
	const fixed = 4
	if err := r.checkBlockLength(start, length, blockOverhead+fixed); err != nil {
		return err
	}
	if _, err := r.s.readFull(r.scratch[:fixed]); err != nil {
		return r.s.fail(start, "a pcapng simple packet block", err)
	}
	iface, err := r.iface(start, 0)
	if err != nil {
		return err
	}

	wirelen := r.order.Uint32(r.scratch[:fixed])
	room := length - blockOverhead - fixed
	caplen := min(wirelen, room)
	if iface.snaplen != 0 {
		caplen = min(caplen, iface.snaplen)
	}
	if err := r.readData(start, caplen, room); err != nil {
		return err
	}
	*p = Packet{
		Data:          r.buf,
		CaptureLength: int(caplen),
		WireLength:    int(wirelen),
		LinkType:      iface.link,
		Offset:        start,
	}
	return r.finishBlock(start, length)
}

// readData reads caplen bytes of packet data into r.buf, checking them
// against the room the block leaves for data.
func (r *pcapngReader) readData(start int64, caplen, room uint32) error {
	if caplen > maxCaptureLength {
		return r.s.formatError(start, "captured length %d exceeds the maximum %d", caplen, maxCaptureLength)
	}
	if caplen > room {
		return r.s.formatError(start, "captured length %d exceeds the %d bytes its block has room for", caplen, room)
	}
	r.buf = grow(r.buf, int(caplen))
	if _, err := r.s.readFull(r.buf); err != nil {
		return r.s.fail(start, "a pcapng packet block", err)
	}
	return nil
}

// iface returns the section's interface with the given id.
func (r *pcapngReader) iface(start int64, id uint32) (*ngInterface, error) {
	if uint64(id) >= uint64(len(r.ifaces)) {
		return nil, &FormatError{Path: r.s.name, Offset: start, Compressed: r.s.compressed, Reason: fmt.Sprintf(
			"packet block names interface %d but the section has described %d", id, len(r.ifaces))}
	}
	return &r.ifaces[id], nil
}
