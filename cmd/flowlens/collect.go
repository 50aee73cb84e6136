package main

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/risk"
)

// sortKey orders the flows of analyze's output: by first packet time, then
// by the endpoints, protocol and VLAN, then by flow ID and generation, so
// that the entries of one flow come together with the latest one last.
type sortKey struct {
	firstSeen              int64 // nanoseconds since the Unix epoch
	clientIP, serverIP, l4 string
	clientPort, serverPort uint16
	vlan                   uint16
	// id and gen are the flow's ID and generation: an entry replaces those
	// of the same flow with a lower generation (flow.Flow.Generation).
	id  uint64
	gen uint32
}

// flowEntry is one closed flow as analyze keeps it: its sort key, and
// either its record or where its JSON line lies in the worker's stage.
type flowEntry struct {
	sortKey
	record  *record.Flow
	lineOff int64
	lineLen uint32
}

// entryChunk is how many flows one block of a collector holds.
const entryChunk = 4096

// defaultRunBytes is how many bytes of JSON lines a worker stages in memory
// before it sorts them and writes them to the spill file as one run. Larger
// runs mean fewer runs to merge at the end, and more memory per worker.
const defaultRunBytes = 4 << 20

// runReadBuffer is the read buffer of each run while the runs are merged.
const runReadBuffer = 64 << 10

// collector keeps the closed flows in fixed-size blocks, one list of blocks
// per worker, so that workers do not contend and a growing list never
// copies what it holds. With encode, it keeps nothing per flow: the JSON
// lines go with their sort keys to a temporary spill file in sorted runs,
// one run per runBytes of a worker's lines, and are merged from there in
// output order.
type collector struct {
	encode   bool
	runBytes int
	mu       sync.Mutex
	// workers is indexed by worker; mu guards its growth.
	workers []*workerEntries
	spill   *os.File
	// removed is set once the spill file is unlinked while still open.
	removed bool
	// spillEnd is the size of the spill file; runs is where each run
	// starts and ends. mu guards both.
	spillEnd int64
	runs     []spillRun
	// err is the first error writing the spill file. mu guards it.
	err error
}

// workerEntries are the flows that one worker has collected. Only that
// worker touches them until the capture ends.
type workerEntries struct {
	blocks [][]flowEntry
	// stage holds the lines not yet written to the spill file, and staged
	// their entries, whose lineOff is an offset into stage.
	stage  []byte
	staged []flowEntry
	out    *bufio.Writer
	key    []byte // scratch space for writeRun
}

// spillRun is the byte range of one sorted run in the spill file.
type spillRun struct{ start, end int64 }

// newCollector returns a collector; with encode, it creates its spill file
// in os.TempDir. The file is removed as soon as it is open where the system
// allows it, or else by close.
func newCollector(encode bool) (*collector, error) {
	c := &collector{encode: encode, runBytes: defaultRunBytes}
	if !encode {
		return c, nil
	}
	f, err := os.CreateTemp("", "flowlens-analyze-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("create temporary file for the output in %s (set TMPDIR to another directory): %w", os.TempDir(), err)
	}
	c.spill = f
	// An unlinked file disappears with the process, even when it is killed.
	c.removed = os.Remove(f.Name()) == nil
	return c, nil
}

// close closes the spill file and removes it if newCollector could not.
func (c *collector) close() {
	if c.spill == nil {
		return
	}
	c.spill.Close()
	if !c.removed {
		os.Remove(c.spill.Name())
	}
	c.spill = nil
}

func (c *collector) sink(judge *risk.Evaluator) pipeline.Sink {
	return func(worker int, f *flow.Flow) {
		r := f.Record()
		judge.Evaluate(r, r.LastSeen)
		e := flowEntry{sortKey: sortKey{
			firstSeen: r.FirstSeen.UnixNano(),
			clientIP:  r.ClientIP, serverIP: r.ServerIP, l4: r.L4,
			clientPort: r.ClientPort, serverPort: r.ServerPort, vlan: r.VLAN,
			id: f.ID, gen: f.Generation(),
		}}
		w := c.worker(worker)
		if !c.encode {
			e.record = r
			w.add(e)
			return
		}
		e.lineOff = int64(len(w.stage))
		w.stage = append(r.AppendJSON(w.stage), '\n')
		e.lineLen = uint32(int64(len(w.stage)) - e.lineOff)
		w.staged = append(w.staged, e)
		if len(w.stage) >= c.runBytes {
			c.writeRun(w)
		}
	}
}

// worker returns the entries of worker i.
func (c *collector) worker(i int) *workerEntries {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.workers) <= i {
		c.workers = append(c.workers, &workerEntries{})
	}
	return c.workers[i]
}

func (w *workerEntries) add(e flowEntry) {
	if len(w.blocks) == 0 || len(w.blocks[len(w.blocks)-1]) == entryChunk {
		w.blocks = append(w.blocks, make([]flowEntry, 0, entryChunk))
	}
	last := len(w.blocks) - 1
	w.blocks[last] = append(w.blocks[last], e)
}

// writeRun sorts the worker's staged lines and appends them to the spill
// file as one run, each line after its sort key (appendSortKey). Workers
// reserve their range of the file under the lock and write it outside, so
// they do not wait for each other's writes.
func (c *collector) writeRun(w *workerEntries) {
	if len(w.staged) == 0 {
		return
	}
	slices.SortFunc(w.staged, compareEntries)
	size := int64(len(w.stage))
	for i := range w.staged {
		size += int64(sortKeySize(&w.staged[i].sortKey))
	}
	c.mu.Lock()
	start := c.spillEnd
	c.spillEnd += size
	c.runs = append(c.runs, spillRun{start, c.spillEnd})
	c.mu.Unlock()

	if w.out == nil {
		w.out = bufio.NewWriterSize(nil, 256<<10)
	}
	w.out.Reset(io.NewOffsetWriter(c.spill, start))
	for _, e := range w.staged {
		w.key = appendSortKey(w.key[:0], &e.sortKey, e.lineLen)
		w.out.Write(w.key)
		w.out.Write(w.stage[e.lineOff : e.lineOff+int64(e.lineLen)])
	}
	if err := w.out.Flush(); err != nil {
		c.fail(fmt.Errorf("write temporary file %s (set TMPDIR to a directory with more space): %w", c.spill.Name(), err))
	}
	w.stage, w.staged = w.stage[:0], w.staged[:0]
}

func (c *collector) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

// sorted returns every flow ordered by first packet time, then by key, so
// that the output does not depend on the number of workers. With encode,
// the flows stay in the spill file, for writeEntries to merge, and the
// slice is empty. It is never nil.
func (c *collector) sorted() []flowEntry {
	all := []flowEntry{}
	for _, w := range c.workers {
		c.writeRun(w)
		w.stage, w.staged, w.out = nil, nil, nil
		for _, b := range w.blocks {
			all = append(all, b...)
		}
		w.blocks = nil
	}
	slices.SortFunc(all, compareEntries)
	return all
}

func compareEntries(a, b flowEntry) int { return compareKeys(&a.sortKey, &b.sortKey) }

// compareKeys orders flows as the sortKey type describes.
func compareKeys(a, b *sortKey) int {
	if c := cmp.Compare(a.firstSeen, b.firstSeen); c != 0 {
		return c
	}
	if c := strings.Compare(a.clientIP, b.clientIP); c != 0 {
		return c
	}
	if c := cmp.Compare(a.clientPort, b.clientPort); c != 0 {
		return c
	}
	if c := strings.Compare(a.serverIP, b.serverIP); c != 0 {
		return c
	}
	if c := cmp.Compare(a.serverPort, b.serverPort); c != 0 {
		return c
	}
	if c := strings.Compare(a.l4, b.l4); c != 0 {
		return c
	}
	if c := cmp.Compare(a.vlan, b.vlan); c != 0 {
		return c
	}
	if c := cmp.Compare(a.id, b.id); c != 0 {
		return c
	}
	return cmp.Compare(a.gen, b.gen)
}

// writeEntries prints the flows and returns how many it printed: flows in
// the order given, as writeFlows does, or with encode the lines of the
// spill file's runs merged in sort key order. Of the lines of one flow, only
// the last generation's is printed.
func (c *collector) writeEntries(w io.Writer, format string, flows []flowEntry) (int, error) {
	if !c.encode {
		records := make([]*record.Flow, len(flows))
		for i := range flows {
			records[i] = flows[i].record
		}
		return len(records), writeFlows(w, format, records)
	}
	if c.err != nil {
		return 0, c.err
	}
	var runs runHeap
	for _, run := range c.runs {
		r := newRunReader(c.spill, run)
		if err := r.next(); err != nil {
			return 0, c.readError(err)
		}
		runs = append(runs, r)
	}
	heap.Init(&runs)
	// last holds the line of the flow before the one at the top, printed
	// once the top shows that it is that flow's last generation.
	var last []byte
	lastID, have, n := uint64(0), false, 0
	for len(runs) > 0 {
		top := runs[0]
		if have && top.key.id != lastID {
			if _, err := w.Write(last); err != nil {
				return n, err
			}
			n++
		}
		last, lastID, have = append(last[:0], top.line...), top.key.id, true
		if top.done() {
			heap.Pop(&runs)
		} else if err := top.next(); err != nil {
			return n, c.readError(err)
		} else {
			heap.Fix(&runs, 0)
		}
	}
	if have {
		if _, err := w.Write(last); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (c *collector) readError(err error) error {
	return fmt.Errorf("read temporary file %s: %w", c.spill.Name(), err)
}

// A spilled line is preceded by its sort key. The key starts with first
// packet time, ports, VLAN, flow ID, generation and the length of the JSON
// line as fixed-size little-endian numbers. The client IP, server IP and L4
// name follow, each after a one-byte length.
const sortKeyFixed = 8 + 2*3 + 8 + 4 + 4

func sortKeySize(k *sortKey) int {
	return sortKeyFixed + 3 + len(k.clientIP) + len(k.serverIP) + len(k.l4)
}

func appendSortKey(b []byte, k *sortKey, lineLen uint32) []byte {
	le := binary.LittleEndian
	b = le.AppendUint64(b, uint64(k.firstSeen))
	b = le.AppendUint16(b, k.clientPort)
	b = le.AppendUint16(b, k.serverPort)
	b = le.AppendUint16(b, k.vlan)
	b = le.AppendUint64(b, k.id)
	b = le.AppendUint32(b, k.gen)
	b = le.AppendUint32(b, lineLen)
	for _, s := range []string{k.clientIP, k.serverIP, k.l4} {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return b
}

// runReader reads one run of the spill file front to back: key and line
// are those of the line read last.
type runReader struct {
	br   *bufio.Reader
	left int64 // bytes of the run not yet read
	key  sortKey
	line []byte
	buf  [sortKeyFixed]byte
}

func newRunReader(f *os.File, run spillRun) *runReader {
	sr := io.NewSectionReader(f, run.start, run.end-run.start)
	return &runReader{br: bufio.NewReaderSize(sr, runReadBuffer), left: run.end - run.start}
}

// done reports whether the run has no line after the current one.
func (r *runReader) done() bool { return r.left == 0 }

// next reads the run's next line and its key.
func (r *runReader) next() error {
	if _, err := io.ReadFull(r.br, r.buf[:]); err != nil {
		return unexpected(err)
	}
	le := binary.LittleEndian
	b := r.buf[:]
	r.key.firstSeen = int64(le.Uint64(b))
	r.key.clientPort, r.key.serverPort, r.key.vlan = le.Uint16(b[8:]), le.Uint16(b[10:]), le.Uint16(b[12:])
	r.key.id, r.key.gen = le.Uint64(b[14:]), le.Uint32(b[22:])
	lineLen := le.Uint32(b[26:])
	size := int64(sortKeyFixed) + int64(lineLen)
	for _, s := range []*string{&r.key.clientIP, &r.key.serverIP, &r.key.l4} {
		n, err := r.br.ReadByte()
		if err != nil {
			return unexpected(err)
		}
		r.line = slices.Grow(r.line[:0], int(n))[:n]
		if _, err := io.ReadFull(r.br, r.line); err != nil {
			return unexpected(err)
		}
		if *s != string(r.line) {
			*s = string(r.line)
		}
		size += 1 + int64(n)
	}
	r.line = slices.Grow(r.line[:0], int(lineLen))[:lineLen]
	if _, err := io.ReadFull(r.br, r.line); err != nil {
		return unexpected(err)
	}
	if r.left -= size; r.left < 0 {
		return errors.New("a line runs past the end of its run")
	}
	return nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// runHeap is a min-heap of runs on their current line's sort key.
type runHeap []*runReader

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return compareKeys(&h[i].key, &h[j].key) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
