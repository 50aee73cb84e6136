package decode

import "net/netip"

const (
	// maxFragmentsPerDatagram bounds the fragments kept per datagram; a
	// datagram cut into more pieces is not reassembled.
	maxFragmentsPerDatagram = 64
	// maxDatagramLen is the largest IPv4 total length, and the largest
	// fragmentable part of an IPv6 packet without jumbograms.
	maxDatagramLen = 65535
	// maxRetainedBuffer is the largest buffer a free slot keeps for reuse;
	// larger ones are released so idle slots hold little memory.
	maxRetainedBuffer = 16 << 10
)

// fragmentKey identifies a datagram among fragments (RFC 791 section 2.3
// for IPv4; RFC 8200 section 4.5 for IPv6, with the fragment header's next
// header as proto).
type fragmentKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
}

type byteRange struct{ start, end int }

// datagram is one fragmented datagram being reassembled.
type datagram struct {
	key      fragmentKey
	started  int64 // packet time of its first fragment to arrive, in ns
	totalLen int   // -1 until the fragment without MF arrives

	// firstSeen is set once the fragment at offset 0 was decoded, and the
	// key fields below were taken from it.
	firstSeen        bool
	protocol         uint8
	srcPort, dstPort uint16

	// overflowed is set when the data was dropped for exceeding a limit.
	overflowed bool
	ranges     [maxFragmentsPerDatagram]byteRange
	nranges    int
	buf        []byte
}

// fragmentTable holds the datagrams being reassembled in a fixed set of
// slots.
type fragmentTable struct {
	slots    []datagram
	index    map[fragmentKey]int
	free     []int
	bytes    int // sum of len(buf) over slots in use
	maxBytes int
	timeout  int64 // in ns
}

func (t *fragmentTable) init(cfg Config) {
	t.slots = make([]datagram, cfg.MaxFragmentDatagrams)
	t.index = make(map[fragmentKey]int, cfg.MaxFragmentDatagrams)
	t.free = make([]int, 0, cfg.MaxFragmentDatagrams)
	for i := len(t.slots) - 1; i >= 0; i-- {
		t.free = append(t.free, i)
	}
	t.maxBytes = cfg.MaxFragmentBytes
	t.timeout = int64(cfg.FragmentTimeout)
}

// lookup returns the datagram for key, starting a new one when there is
// none or the old one timed out.
func (t *fragmentTable) lookup(key fragmentKey, now int64, st *Stats) *datagram {
	if i, ok := t.index[key]; ok {
		if now-t.slots[i].started <= t.timeout {
			return &t.slots[i]
		}
		st.FragmentsExpired++
		t.release(i)
	}

	i := t.allocate(now, st)
	dg := &t.slots[i]
	*dg = datagram{key: key, started: now, totalLen: -1, buf: dg.buf[:0]}
	t.index[key] = i
	return dg
}

// allocate returns a free slot, evicting the oldest datagram when every
// slot is taken.
func (t *fragmentTable) allocate(now int64, st *Stats) int {
	if len(t.free) == 0 {
		oldest := 0
		for i := range t.slots {
			if t.slots[i].started < t.slots[oldest].started {
				oldest = i
			}
		}
		if now-t.slots[oldest].started > t.timeout {
			st.FragmentsExpired++
		} else {
			st.FragmentsEvicted++
		}
		t.release(oldest)
	}
	i := t.free[len(t.free)-1]
	t.free = t.free[:len(t.free)-1]
	return i
}

// release frees slot i. Its buffer's bytes stay readable until the slot
// is reused, so a reassembled payload outlives the release.
func (t *fragmentTable) release(i int) {
	dg := &t.slots[i]
	delete(t.index, dg.key)
	t.bytes -= len(dg.buf)
	if cap(dg.buf) > maxRetainedBuffer {
		dg.buf = nil
	} else {
		dg.buf = dg.buf[:0]
	}
	dg.nranges = 0
	t.free = append(t.free, i)
}

// store copies a fragment's data into dg and reports whether the datagram
// is now complete.
func (t *fragmentTable) store(dg *datagram, offset int, data []byte, more bool, st *Stats) (complete bool, r Reason) {
	end := offset + len(data)
	if end > maxDatagramLen {
		return false, ReasonFragmentBadOffset
	}
	if !more {
		dg.totalLen = end
	}
	if dg.overflowed {
		return false, reasonOK
	}
	if dg.nranges == maxFragmentsPerDatagram || !t.grow(dg, end) {
		t.overflow(dg, st)
		return false, reasonOK
	}

	copy(dg.buf[offset:end], data)
	dg.ranges[dg.nranges] = byteRange{offset, end}
	dg.nranges++
	return dg.covered(), reasonOK
}

// grow extends dg.buf to hold end bytes within the table's byte limit.
func (t *fragmentTable) grow(dg *datagram, end int) bool {
	growth := end - len(dg.buf)
	if growth <= 0 {
		return true
	}
	if t.bytes+growth > t.maxBytes {
		return false
	}
	if end > cap(dg.buf) {
		buf := make([]byte, end, max(end, 2*cap(dg.buf)))
		copy(buf, dg.buf)
		dg.buf = buf
	}
	dg.buf = dg.buf[:end]
	t.bytes += growth
	return true
}

// overflow drops dg's data but keeps the slot, so later fragments still
// find the ports of the first one.
func (t *fragmentTable) overflow(dg *datagram, st *Stats) {
	dg.overflowed = true
	st.FragmentsOverflowed++
	t.bytes -= len(dg.buf)
	dg.buf = dg.buf[:0]
	dg.nranges = 0
}

// covered reports whether the stored ranges cover [0, totalLen) without a
// hole. Fragments may overlap and arrive in any order.
func (dg *datagram) covered() bool {
	if dg.totalLen < 0 {
		return false
	}
	reached := 0
	for progressed := true; progressed && reached < dg.totalLen; {
		progressed = false
		for _, r := range dg.ranges[:dg.nranges] {
			if r.start <= reached && r.end > reached {
				reached = r.end
				progressed = true
			}
		}
	}
	return reached >= dg.totalLen
}

// decodeFragment records one fragment and fills p as Decode documents:
// the first fragment's transport header gives the key, later fragments
// reuse it, and the completing frame carries the reassembled payload.
func (d *Decoder) decodeFragment(key fragmentKey, offset int, more bool, data []byte, p *Packet) Reason {
	dg := d.frags.lookup(key, d.now, &d.stats)
	complete, r := d.frags.store(dg, offset, data, more, &d.stats)
	if r != reasonOK {
		return r
	}
	p.Fragment = true

	switch {
	case offset == 0:
		if r := d.decodeFragmentPayload(key.proto, data, p); r != reasonOK {
			return r
		}
		dg.firstSeen = true
		dg.protocol, dg.srcPort, dg.dstPort = p.Protocol, p.SrcPort, p.DstPort
	case !dg.firstSeen:
		return ReasonFragmentWithoutFirst
	default:
		p.Protocol, p.SrcPort, p.DstPort = dg.protocol, dg.srcPort, dg.dstPort
		p.LaterFragment = true
	}
	if !complete {
		return reasonOK
	}

	whole := dg.buf[:dg.totalLen]
	d.frags.release(d.frags.index[key])
	d.stats.Reassembled++
	p.Reassembled = true
	return d.decodeFragmentPayload(key.proto, whole, p)
}

// decodeFragmentPayload decodes the transport header at the start of a
// datagram's fragmentable part. Tunnels are not followed, so every
// fragment of a datagram gets the same key.
func (d *Decoder) decodeFragmentPayload(proto uint8, b []byte, p *Packet) Reason {
	if p.IPVersion == ipVersion6 {
		return d.decodeIPv6Payload(proto, b, p, true)
	}
	return d.decodeTransport(proto, b, p, false)
}
