package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Block types and option codes of the pcapng format, named as in the IETF
// draft "PCAP Now Generic (pcapng) Capture File Format"
// (draft-ietf-opsawg-pcapng): section 4 lists the general block
// structure, 4.1 to 4.4 the section header, interface description,
// enhanced packet and simple packet blocks, and appendix A the obsolete
// packet block.
const (
	blockTypeSectionHeader        = 0x0a0d0d0a
	blockTypeInterfaceDescription = 0x00000001
	blockTypePacket               = 0x00000002 // obsolete, superseded by the enhanced packet block
	blockTypeSimplePacket         = 0x00000003
	blockTypeEnhancedPacket       = 0x00000006

	byteOrderMagic = 0x1a2b3c4d

	// blockOverhead is the block type, block total length and trailing
	// block total length around every block body.
	blockOverhead = 12

	optEndOfOpt   = 0
	optIfTsresol  = 9
	optIfTsoffset = 14

	// maxMetadataBlock bounds the section header and interface
	// description blocks, which are read whole to parse their options.
	maxMetadataBlock = 1 << 20
)

// pcapngReader reads a pcapng file with any number of sections and
// interfaces. It reuses one buffer for packet data.
type pcapngReader struct {
	s       *stream
	order   binary.ByteOrder
	ifaces  []ngInterface
	scratch [20]byte
	meta    []byte
	buf     []byte
}

// ngInterface is what an interface description block says about the
// packets captured on it.
type ngInterface struct {
	link    LinkType
	snaplen uint32
	clock   tsClock
}

func newPcapngReader(s *stream) (*pcapngReader, error) {
	r := &pcapngReader{s: s}
	var blockType [4]byte
	if _, err := s.readFull(blockType[:]); err != nil {
		return nil, s.fail(0, "a pcapng section header block", err)
	}
	if err := r.readSectionHeader(0); err != nil {
		return nil, err
	}
	return r, nil
}

// ReadPacket reads blocks up to the next packet block. Data points into a
// buffer that the next call overwrites.
func (r *pcapngReader) ReadPacket(p *Packet) error {
	for {
		start := r.s.off
		n, err := r.s.readFull(r.scratch[:4])
		if n == 0 && errors.Is(err, io.EOF) {
			return io.EOF
		}
		if err != nil {
			return r.s.fail(start, "a pcapng block header", err)
		}

		blockType := r.order.Uint32(r.scratch[:4])
		if blockType == blockTypeSectionHeader {
			if err := r.readSectionHeader(start); err != nil {
				return err
			}
			continue
		}
		if err := r.readBlock(p, start, blockType); err != errSkipped {
			return err
		}
	}
}

// errSkipped tells ReadPacket that a block held no packet.
var errSkipped = errors.New("capture: block skipped")

// readBlock reads the block after its type field: a packet into p, an
// interface description into r.ifaces, any other block type is skipped.
func (r *pcapngReader) readBlock(p *Packet, start int64, blockType uint32) error {
	length, err := r.readBlockLength(start)
	if err != nil {
		return err
	}

	switch blockType {
	case blockTypeEnhancedPacket, blockTypePacket:
		return r.readPacketBlock(p, start, length, blockType)
	case blockTypeSimplePacket:
		return r.readSimplePacketBlock(p, start, length)
	case blockTypeInterfaceDescription:
		if err := r.readInterfaceDescription(start, length); err != nil {
			return err
		}
	default:
		if err := r.finishBlock(start, length); err != nil {
			return err
		}
	}
	return errSkipped
}

// readBlockLength reads and checks the block total length of the block
// that starts at start.
func (r *pcapngReader) readBlockLength(start int64) (uint32, error) {
	if _, err := r.s.readFull(r.scratch[:4]); err != nil {
		return 0, r.s.fail(start, "a pcapng block header", err)
	}
	length := r.order.Uint32(r.scratch[:4])
	if err := r.checkBlockLength(start, length, blockOverhead); err != nil {
		return 0, err
	}
	return length, nil
}

func (r *pcapngReader) checkBlockLength(start int64, length, minLength uint32) error {
	if length%4 != 0 {
		return r.s.formatError(start, "pcapng block length %d is not a multiple of 4", length)
	}
	if length < minLength {
		return r.s.formatError(start, "pcapng block length %d is less than the minimum %d for its block type", length, minLength)
	}
	return nil
}

// finishBlock skips the rest of the block body and checks that the
// trailing block total length repeats the leading one.
func (r *pcapngReader) finishBlock(start int64, length uint32) error {
	consumed := r.s.off - start
	rest := int64(length) - 4 - consumed
	if rest < 0 {
		return r.s.formatError(start, "pcapng block length %d is shorter than its contents", length)
	}
	if err := r.s.discard(int(rest)); err != nil {
		return r.s.fail(start, fmt.Sprintf("a pcapng block of length %d", length), err)
	}

	if _, err := r.s.readFull(r.scratch[:4]); err != nil {
		return r.s.fail(start, fmt.Sprintf("a pcapng block of length %d", length), err)
	}
	if trailing := r.order.Uint32(r.scratch[:4]); trailing != length {
		return r.s.formatError(start, "pcapng trailing block length %d does not match the block length %d", trailing, length)
	}
	return nil
}

// readSectionHeader reads a section header block whose type field has
// been read. The byte-order magic sets the byte order of the section, and
// the section's interfaces start afresh.
func (r *pcapngReader) readSectionHeader(start int64) error {
	// Block total length, byte-order magic, major and minor version, and
	// the 64-bit section length.
	head := r.scratch[:20]
	if _, err := r.s.readFull(head); err != nil {
		return r.s.fail(start, "a pcapng section header block", err)
	}

	switch {
	case binary.LittleEndian.Uint32(head[4:8]) == byteOrderMagic:
		r.order = binary.LittleEndian
	case binary.BigEndian.Uint32(head[4:8]) == byteOrderMagic:
		r.order = binary.BigEndian
	default:
		return r.s.formatError(start, "pcapng section header has byte-order magic %x; expected 1a2b3c4d in either byte order", head[4:8])
	}

	length := r.order.Uint32(head[0:4])
	if err := r.checkBlockLength(start, length, blockOverhead+16); err != nil {
		return err
	}
	if major := r.order.Uint16(head[8:10]); major != 1 {
		return r.s.formatError(start, "unsupported pcapng major version %d; expected 1", major)
	}

	r.ifaces = r.ifaces[:0]
	return r.finishBlock(start, length)
}

// Close closes the file.
func (r *pcapngReader) Close() error {
	return r.s.close()
}
