package main

import (
	"bufio"
	"cmp"
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

// flowEntry is one closed flow as analyze keeps it until the capture ends:
// the fields it is sorted by, and either its record or where its JSON line
// lies in the collector's spill file.
type flowEntry struct {
	firstSeen              int64 // nanoseconds since the Unix epoch
	clientIP, serverIP, l4 string
	clientPort, serverPort uint16
	vlan                   uint16
	record                 *record.Flow
	// lineOff and lineLen locate the record's JSON line, newline included:
	// in the spill file once the line's run is written, in the worker's
	// stage until then.
	lineOff int64
	lineLen uint32
	// run numbers the sorted run of the spill file that holds the line.
	run uint32
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
// copies what it holds. With encode, it keeps only each flow's sort key:
// the JSON lines go to a temporary spill file in sorted runs, one run per
// runBytes of a worker's lines, and are merged from there in output order.
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
		e := flowEntry{
			firstSeen: r.FirstSeen.UnixNano(),
			clientIP:  r.ClientIP, serverIP: r.ServerIP, l4: r.L4,
			clientPort: r.ClientPort, serverPort: r.ServerPort, vlan: r.VLAN,
		}
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
// file as one run. Workers reserve their range of the file under the lock
// and write it outside, so they do not wait for each other's writes.
func (c *collector) writeRun(w *workerEntries) {
	if len(w.staged) == 0 {
		return
	}
	slices.SortFunc(w.staged, compareEntries)
	c.mu.Lock()
	start := c.spillEnd
	c.spillEnd += int64(len(w.stage))
	run := uint32(len(c.runs))
	c.runs = append(c.runs, spillRun{start, c.spillEnd})
	c.mu.Unlock()

	if w.out == nil {
		w.out = bufio.NewWriterSize(nil, 256<<10)
	}
	w.out.Reset(io.NewOffsetWriter(c.spill, start))
	off := start
	for _, e := range w.staged {
		w.out.Write(w.stage[e.lineOff : e.lineOff+int64(e.lineLen)])
		e.lineOff, e.run = off, run
		off += int64(e.lineLen)
		w.add(e)
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
// that the output does not depend on the number of workers. It returns an
// empty, non-nil slice when there are no flows.
func (c *collector) sorted() []flowEntry {
	for _, w := range c.workers {
		c.writeRun(w)
		w.stage, w.staged, w.out = nil, nil, nil
	}
	n := 0
	for _, w := range c.workers {
		for _, b := range w.blocks {
			n += len(b)
		}
	}
	all := make([]flowEntry, 0, n)
	if c.encode {
		// Each worker's blocks hold its runs one after another, each run
		// sorted by writeRun, so merging them is enough.
		all = mergeRuns(all, c.workers)
	} else {
		for _, w := range c.workers {
			for _, b := range w.blocks {
				all = append(all, b...)
			}
		}
		slices.SortFunc(all, compareEntries)
	}
	for _, w := range c.workers {
		w.blocks = nil
	}
	return all
}

// runCursor walks one sorted run in a worker's blocks.
type runCursor struct {
	blocks [][]flowEntry
	// block and index locate the run's next entry, and left counts the
	// entries of the run not yet taken.
	block, index, left int
}

func (r *runCursor) head() *flowEntry { return &r.blocks[r.block][r.index] }

func (r *runCursor) next() {
	r.left--
	if r.index++; r.index == len(r.blocks[r.block]) {
		r.block, r.index = r.block+1, 0
	}
}

// mergeRuns appends to dst the entries of every run of the workers in
// sorted order. A run is a stretch of entries with the same run number.
func mergeRuns(dst []flowEntry, workers []*workerEntries) []flowEntry {
	var runs []*runCursor
	for _, w := range workers {
		var cur *runCursor
		for b, block := range w.blocks {
			for i := range block {
				if cur == nil || block[i].run != cur.head().run {
					cur = &runCursor{blocks: w.blocks, block: b, index: i}
					runs = append(runs, cur)
				}
				cur.left++
			}
		}
	}
	// runs is a binary min-heap on each run's next entry.
	less := func(i, j int) bool { return compareEntryRefs(runs[i].head(), runs[j].head()) < 0 }
	down := func(i int) {
		for {
			least := i
			if l := 2*i + 1; l < len(runs) && less(l, least) {
				least = l
			}
			if r := 2*i + 2; r < len(runs) && less(r, least) {
				least = r
			}
			if least == i {
				return
			}
			runs[i], runs[least] = runs[least], runs[i]
			i = least
		}
	}
	for i := len(runs)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(runs) > 0 {
		top := runs[0]
		dst = append(dst, *top.head())
		if top.next(); top.left == 0 {
			runs[0] = runs[len(runs)-1]
			runs = runs[:len(runs)-1]
		}
		down(0)
	}
	return dst
}

func compareEntries(a, b flowEntry) int { return compareEntryRefs(&a, &b) }

// compareEntryRefs orders flows by first packet time, then by key.
func compareEntryRefs(a, b *flowEntry) int {
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
	return cmp.Compare(a.vlan, b.vlan)
}

// writeEntries prints the flows in the order given: their JSON lines from
// the spill file, or as writeRecords does when they carry records.
func (c *collector) writeEntries(w io.Writer, format string, flows []flowEntry) error {
	if !c.encode {
		records := make([]*record.Flow, len(flows))
		for i := range flows {
			records[i] = flows[i].record
		}
		return writeRecords(w, format, records)
	}
	if c.err != nil {
		return c.err
	}
	readers := make([]*runReader, len(c.runs))
	var line []byte
	for i := range flows {
		e := &flows[i]
		r := readers[e.run]
		if r == nil {
			r = newRunReader(c.spill, c.runs[e.run])
			readers[e.run] = r
		}
		line = slices.Grow(line[:0], int(e.lineLen))[:e.lineLen]
		if err := r.read(line, e.lineOff); err != nil {
			return fmt.Errorf("read temporary file %s: %w", c.spill.Name(), err)
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		if r.done() {
			readers[e.run] = nil
		}
	}
	return nil
}

// runReader reads one run of the spill file front to back. A run is sorted
// and the flows are read in sorted order, so each line starts where the one
// before it in the same run ended. Any other offset is read directly.
type runReader struct {
	f   *os.File
	run spillRun
	// pos is the file offset of the next byte that br returns.
	pos int64
	br  *bufio.Reader
}

func newRunReader(f *os.File, run spillRun) *runReader {
	sr := io.NewSectionReader(f, run.start, run.end-run.start)
	return &runReader{f: f, run: run, pos: run.start, br: bufio.NewReaderSize(sr, runReadBuffer)}
}

// read fills p with the bytes of the run at file offset off.
func (r *runReader) read(p []byte, off int64) error {
	if off != r.pos {
		_, err := r.f.ReadAt(p, off)
		return err
	}
	n, err := io.ReadFull(r.br, p)
	r.pos += int64(n)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// done reports whether the run has been read to its end.
func (r *runReader) done() bool { return r.pos == r.run.end }
