package flow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"

	"github.com/flowlens/flowlens/record"
)

// FreezeFunc hands over a flow whose record is, for now, final: it is
// called with a flow the table is about to take out of memory, and must
// treat the flow's record as emitted, with the flow's Generation. A later
// record of the same flow has a higher Generation and replaces this one.
type FreezeFunc func(f *Flow)

// frozenRef locates a frozen flow's blob in the table's vault.
type frozenRef struct {
	off int64
	n   uint32
}

// frozenEntry is a frozen flow in the table's eviction order.
type frozenEntry struct {
	key      Key
	off      int64 // the blob's offset, which tells a stale entry apart
	lastSeen int64
}

// frozenQueue lists frozen flows in the order they were frozen. It grows by
// blocks, so that it never copies what it holds.
type frozenQueue struct {
	blocks [][]frozenEntry
	next   int // index of the head in blocks[0]
}

const frozenBlock = 4096

func (q *frozenQueue) push(e frozenEntry) {
	if n := len(q.blocks); n == 0 || len(q.blocks[n-1]) == frozenBlock {
		q.blocks = append(q.blocks, make([]frozenEntry, 0, frozenBlock))
	}
	last := len(q.blocks) - 1
	q.blocks[last] = append(q.blocks[last], e)
}

// head returns the first entry, or nil when the queue is empty. Only the
// last block can be short, so an exhausted first block means an empty
// queue unless it is full, which pop drops.
func (q *frozenQueue) head() *frozenEntry {
	if len(q.blocks) == 0 || q.next == len(q.blocks[0]) {
		return nil
	}
	return &q.blocks[0][q.next]
}

func (q *frozenQueue) pop() {
	q.next++
	if q.next == frozenBlock {
		q.blocks[0] = nil
		q.blocks, q.next = q.blocks[1:], 0
	}
}

// thawedDPI contains the DPI results of a flow read back from the vault.
type thawedDPI struct {
	// part holds the record fields that dpi.Flow.Fill sets, as
	// appendDPIPart writes them.
	part []byte
	// unnamed is set when DPI had not named the flow when it was frozen.
	unnamed bool
}

// fill copies the DPI results into r, as dpi.Flow.Fill does for a flow in
// memory.
func (d *thawedDPI) fill(r *record.Flow) {
	if err := readDPIPart(d.part, r); err != nil {
		// readFrozen checked the part when it read the flow back.
		panic(fmt.Sprintf("flow: frozen DPI results do not decode: %v", err))
	}
}

// vault is a temporary file that frozen flows are appended to. It is
// unlinked as soon as it is open where the system allows it, so that it
// disappears with the process. Space of thawed flows is not reused: a
// capture is read once.
type vault struct {
	file    *os.File
	removed bool
	// written counts the bytes in the file. pending holds the bytes
	// appended after them, which stay in memory until they fill the buffer
	// or a write fails, so that every blob append accepted can be read
	// back.
	written int64
	pending []byte
}

// vaultBuffer is how many bytes a vault collects before it writes them.
const vaultBuffer = 256 << 10

func openVault() (*vault, error) {
	f, err := os.CreateTemp("", "flowlens-frozen-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file for idle flows in %s (set TMPDIR to another directory): %w", os.TempDir(), err)
	}
	return &vault{file: f, removed: os.Remove(f.Name()) == nil, pending: make([]byte, 0, vaultBuffer)}, nil
}

// append adds blob to the vault. When the bytes before it cannot be
// written, it returns the error and leaves blob out; the bytes not written
// stay readable from memory.
func (v *vault) append(blob []byte) (frozenRef, error) {
	if len(blob) > math.MaxUint32 {
		return frozenRef{}, errors.New("frozen flow too large")
	}
	if len(v.pending)+len(blob) > vaultBuffer && len(v.pending) > 0 {
		if err := v.flush(); err != nil {
			return frozenRef{}, err
		}
	}
	ref := frozenRef{off: v.written + int64(len(v.pending)), n: uint32(len(blob))}
	v.pending = append(v.pending, blob...)
	return ref, nil
}

// flush writes the pending bytes. On a short write it keeps the bytes not
// written.
func (v *vault) flush() error {
	n, err := v.file.Write(v.pending)
	v.written += int64(n)
	v.pending = v.pending[:copy(v.pending, v.pending[n:])]
	if err != nil {
		return fmt.Errorf("write temporary file %s (set TMPDIR to a directory with more space): %w", v.file.Name(), err)
	}
	return nil
}

// read returns the blob at ref, from the file or from the pending bytes.
func (v *vault) read(ref frozenRef) ([]byte, error) {
	b := make([]byte, ref.n)
	inFile := min(max(v.written-ref.off, 0), int64(ref.n))
	if inFile > 0 {
		if _, err := v.file.ReadAt(b[:inFile], ref.off); err != nil {
			return nil, fmt.Errorf("read temporary file %s: %w", v.file.Name(), err)
		}
	}
	if inFile < int64(ref.n) {
		copy(b[inFile:], v.pending[ref.off+inFile-v.written:])
	}
	return b, nil
}

func (v *vault) close() {
	v.file.Close()
	if !v.removed {
		os.Remove(v.file.Name())
	}
}

// A frozen flow's blob: the fixed-size state that appendFrozen writes, then
// the DPI part to the end.
const (
	flagClientIsLo = 1 << iota
	flagFinC2S
	flagFinS2C
	flagRST
	flagFirstFlagsNone
	flagUnnamed
)

// frozenFixed is the size of the fixed part of a blob.
const frozenFixed = 5 + 3*8 + 2*(8+8+4) + 4 + 3*8 + 4

func flagIf(on bool, flag uint8) uint8 {
	if on {
		return flag
	}
	return 0
}

// appendFrozen appends to b the blob of f, whose DPI results are d.
func appendFrozen(b []byte, f *Flow, d *thawedDPI) []byte {
	le := binary.LittleEndian
	flags := flagIf(f.ClientIsLo, flagClientIsLo) | flagIf(f.finSeen[0], flagFinC2S) |
		flagIf(f.finSeen[1], flagFinS2C) | flagIf(f.rstSeen, flagRST) |
		flagIf(f.firstFlagsNone, flagFirstFlagsNone) | flagIf(d.unnamed, flagUnnamed)
	b = append(b, flags, f.TCPFlags[0], f.TCPFlags[1], f.IPVersion, f.entropyStage)
	b = le.AppendUint64(b, f.ID)
	b = le.AppendUint64(b, uint64(f.FirstSeen))
	b = le.AppendUint64(b, uint64(f.LastSeen))
	for dir := range 2 {
		b = le.AppendUint64(b, f.Packets[dir])
		b = le.AppendUint64(b, f.Bytes[dir])
		b = le.AppendUint32(b, f.payloadPackets[dir])
	}
	b = le.AppendUint32(b, math.Float32bits(f.entropy))
	b = le.AppendUint64(b, uint64(f.rate.at))
	b = le.AppendUint64(b, f.rate.bytes)
	b = le.AppendUint64(b, math.Float64bits(f.rate.bps))
	b = le.AppendUint32(b, f.gen)
	return append(b, d.part...)
}

// errBadBlob reports a blob that appendFrozen did not write.
var errBadBlob = errors.New("damaged frozen flow in temporary file")

// readFrozen restores into f, whose Key is set, the flow that appendFrozen
// wrote to b.
func readFrozen(b []byte, f *Flow) error {
	if len(b) < frozenFixed {
		return errBadBlob
	}
	le := binary.LittleEndian
	flags := b[0]
	f.TCPFlags[0], f.TCPFlags[1], f.IPVersion, f.entropyStage = b[1], b[2], b[3], b[4]
	b = b[5:]
	u64 := func() uint64 { v := le.Uint64(b); b = b[8:]; return v }
	u32 := func() uint32 { v := le.Uint32(b); b = b[4:]; return v }
	f.ID = u64()
	f.FirstSeen, f.LastSeen = int64(u64()), int64(u64())
	for dir := range 2 {
		f.Packets[dir], f.Bytes[dir], f.payloadPackets[dir] = u64(), u64(), u32()
	}
	f.entropy = math.Float32frombits(u32())
	f.rate.at, f.rate.bytes, f.rate.bps = int64(u64()), u64(), math.Float64frombits(u64())
	f.gen = u32()
	d := &thawedDPI{part: b, unnamed: flags&flagUnnamed != 0}
	if err := readDPIPart(b, &record.Flow{}); err != nil {
		return err
	}
	f.ClientIsLo = flags&flagClientIsLo != 0
	f.finSeen = [2]bool{flags&flagFinC2S != 0, flags&flagFinS2C != 0}
	f.rstSeen = flags&flagRST != 0
	f.firstFlagsNone = flags&flagFirstFlagsNone != 0
	f.thawed = d
	return nil
}

// freezing reports whether idle flows are frozen: the table has a
// FreezeFunc, FreezeIdle is set and no timeout would close them instead.
func (t *Table) freezing() bool {
	return t.freeze != nil && t.cfg.FreezeIdle > 0 && t.untimed()
}

// freezeIdle freezes the flows whose inspection is over and that saw no
// packet for FreezeIdle at packet time now. Such flows sit on the list of
// flows done with inspection in order of last activity. A damaged timestamp can leave a flow that
// was last seen far ahead of now at the head of the list, where it would
// hold back every flow behind it. Such a flow is frozen too, which costs
// at most a read back.
func (t *Table) freezeIdle(now int64) {
	idle := int64(t.cfg.FreezeIdle)
	l := &t.lists[classDone]
	for f := l.head; f != nil && (f.LastSeen+idle <= now || f.LastSeen-idle > now); f = l.head {
		if !t.freezeFlow(f) {
			return
		}
	}
}

// freezeFlow writes f to the vault, hands its record to the FreezeFunc and
// takes it out of memory. It returns false, and stops freezing, when the
// vault cannot be written; f then stays in the table.
func (t *Table) freezeFlow(f *Flow) bool {
	if t.vault == nil {
		v, err := openVault()
		if err != nil {
			t.stopFreezing(err)
			return false
		}
		t.vault = v
	}
	d := f.thawed
	if d == nil {
		d = t.settle(f)
	}

	t.blob = appendFrozen(t.blob[:0], f, d)
	ref, err := t.vault.append(t.blob)
	if err != nil {
		if f.thawed == nil {
			// Finish has settled f.DPI, so the flow goes on with the
			// settled results, as one read back does: Finish must not
			// run again, and a flow DPI had not named stays unnamed.
			d.part = bytes.Clone(d.part)
			f.thawed, f.DPI = d, nil
		}
		t.stopFreezing(err)
		return false
	}

	t.freeze(f)
	t.unlist(f)
	delete(t.flows, f.Key)
	if t.frozen == nil {
		t.frozen = make(map[Key]frozenRef, 1024)
	}
	t.frozen[f.Key] = ref
	t.frozenOrder.push(frozenEntry{key: f.Key, off: ref.off, lastSeen: f.LastSeen})
	t.stats.Frozen++
	return true
}

// frozenHead returns the frozen flow that was frozen first and is still
// frozen, or nil.
func (t *Table) frozenHead() *frozenEntry {
	for e := t.frozenOrder.head(); e != nil; e = t.frozenOrder.head() {
		if ref, ok := t.frozen[e.key]; ok && ref.off == e.off {
			return e
		}
		t.frozenOrder.pop()
	}
	return nil
}

// evictFrozen closes the frozen flow e, which frozenHead returned. Its
// record was handed over when it froze, and remains the final one.
func (t *Table) evictFrozen(e *frozenEntry) {
	delete(t.frozen, e.key)
	t.frozenOrder.pop()
	t.stats.Evicted++
	t.stats.Closed++
}

// settle has the engine settle the DPI results of f once, as at close, and
// returns them in the form a frozen flow keeps. Nothing changes them
// afterwards, because inspection is over. The part lies in t.part until
// the next call.
func (t *Table) settle(f *Flow) *thawedDPI {
	d := &thawedDPI{unnamed: f.DPI.Master == ""}
	t.engine.Finish(f.DPI)
	var r record.Flow
	f.DPI.Fill(&r)
	t.part = appendDPIPart(t.part[:0], &r)
	d.part = t.part
	return d
}

// thaw reads the frozen flow of key back into the table for a new packet.
// It returns nil when key has no frozen flow, or when reading it failed; the
// packet then starts a new flow, and the record handed over at freezing
// stands for the old one.
func (t *Table) thaw(key Key) *Flow {
	ref, ok := t.frozen[key]
	if !ok {
		return nil
	}
	delete(t.frozen, key)
	f := &Flow{Key: key}
	b, err := t.vault.read(ref)
	if err == nil {
		err = readFrozen(b, f)
	}
	if err != nil {
		t.stats.Closed++
		t.thawFailed(err)
		return nil
	}
	f.gen++
	t.flows[key] = f
	t.stats.Thawed++
	return f
}

// stopFreezing turns freezing off for the rest of the capture and logs
// why; it runs at most once per table.
func (t *Table) stopFreezing(err error) {
	t.freeze = nil
	t.stats.FreezeFailed++
	slog.Warn("flow: cannot move idle flows to a temporary file; they stay in memory", "err", err)
}

// thawFailed counts a frozen flow that could not be read back, and logs the
// table's first such failure.
func (t *Table) thawFailed(err error) {
	if !t.thawFailureLogged {
		t.thawFailureLogged = true
		slog.Warn("flow: cannot read an idle flow back from its temporary file; its later packets start a new flow", "err", err)
	}
	t.stats.FreezeFailed++
}

// unnamed reports whether DPI has not named the flow yet.
func (f *Flow) unnamed() bool {
	if f.thawed != nil {
		return f.thawed.unnamed
	}
	return f.DPI != nil && f.DPI.Master == ""
}
