package capture

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// readInterfaceDescription reads an interface description block after
// its block total length and appends the interface to the section. The
// body is the link type (16 bits), a reserved field (16 bits), the
// snapshot length (32 bits) and options.
func (r *pcapngReader) readInterfaceDescription(start int64, length uint32) error {
	const fixed = 8
	if err := r.checkBlockLength(start, length, blockOverhead+fixed); err != nil {
		return err
	}
	if length > maxMetadataBlock {
		return r.s.formatError(start, "pcapng interface description block length %d exceeds the maximum %d", length, maxMetadataBlock)
	}

	r.meta = grow(r.meta, int(length-blockOverhead))
	if _, err := r.s.readFull(r.meta); err != nil {
		return r.s.fail(start, "a pcapng interface description block", err)
	}
	body := r.meta
	iface := ngInterface{
		link:    LinkType(r.order.Uint16(body[0:2])),
		snaplen: r.order.Uint32(body[4:8]),
	}
	clock, err := parseInterfaceOptions(r.order, body[fixed:])
	if err != nil {
		return r.s.formatError(start, "pcapng interface description block: %v", err)
	}
	iface.clock = clock

	r.ifaces = append(r.ifaces, iface)
	return r.finishBlock(start, length)
}

// parseInterfaceOptions reads the options of an interface description
// block that set its timestamps: if_tsresol and if_tsoffset. Each option
// is a 16-bit code, a 16-bit length and a value padded to 32 bits.
func parseInterfaceOptions(order binary.ByteOrder, opts []byte) (tsClock, error) {
	clock := defaultClock
	for len(opts) >= 4 {
		code, n := order.Uint16(opts[0:2]), int(order.Uint16(opts[2:4]))
		opts = opts[4:]
		if code == optEndOfOpt {
			break
		}
		if n > len(opts) {
			return clock, fmt.Errorf("option %d of length %d runs past the block", code, n)
		}

		value := opts[:n]
		switch code {
		case optIfTsresol:
			if n != 1 {
				return clock, fmt.Errorf("if_tsresol has length %d; expected 1", n)
			}
			offset := clock.offset
			var err error
			if clock, err = newClock(value[0]); err != nil {
				return clock, err
			}
			clock.offset = offset
		case optIfTsoffset:
			if n != 8 {
				return clock, fmt.Errorf("if_tsoffset has length %d; expected 8", n)
			}
			clock.offset = int64(order.Uint64(value)) * nanosecondsPerSecond
		}
		opts = opts[min(pad4(n), len(opts)):]
	}
	return clock, nil
}

func pad4(n int) int {
	return (n + 3) &^ 3
}

// tsClock converts an interface's 64-bit timestamps to nanoseconds since
// the Unix epoch. A timestamp counts units of 10^-resolution seconds, or
// 2^-resolution seconds when if_tsresol has its top bit set, plus
// if_tsoffset seconds.
type tsClock struct {
	multiply uint64 // decimal units coarser than a nanosecond
	divide   uint64 // decimal units finer than a nanosecond
	shift    uint   // binary units: the timestamp counts 2^-shift seconds
	binary   bool
	offset   int64 // if_tsoffset, in nanoseconds
}

// defaultClock is the resolution of an interface without if_tsresol:
// microseconds.
var defaultClock = tsClock{multiply: 1000}

// powersOf10 holds 10^0 to 10^19, every power of ten a uint64 holds.
var powersOf10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// newClock returns the clock for an if_tsresol value.
func newClock(resolution byte) (tsClock, error) {
	exponent := int(resolution & 0x7f)
	if resolution&0x80 != 0 {
		if exponent > 63 {
			return tsClock{}, fmt.Errorf("if_tsresol of 2^-%d seconds is finer than the supported 2^-63", exponent)
		}
		return tsClock{binary: true, shift: uint(exponent)}, nil
	}
	if exponent <= 9 {
		return tsClock{multiply: powersOf10[9-exponent]}, nil
	}
	if exponent-9 >= len(powersOf10) {
		return tsClock{}, fmt.Errorf("if_tsresol of 10^-%d seconds is finer than the supported 10^-%d", exponent, 9+len(powersOf10)-1)
	}
	return tsClock{divide: powersOf10[exponent-9]}, nil
}

// nanos converts a timestamp to nanoseconds since the Unix epoch.
func (c tsClock) nanos(timestamp uint64) int64 {
	switch {
	case c.binary:
		seconds := timestamp >> c.shift
		fraction := timestamp & (1<<c.shift - 1)
		hi, lo := bits.Mul64(fraction, nanosecondsPerSecond)
		// fraction < 2^shift, so the product shifted right fits in 64 bits.
		fractionNanos := lo>>c.shift | hi<<(64-c.shift)
		return int64(seconds)*nanosecondsPerSecond + int64(fractionNanos) + c.offset
	case c.divide != 0:
		return int64(timestamp/c.divide) + c.offset
	default:
		return int64(timestamp*c.multiply) + c.offset
	}
}
