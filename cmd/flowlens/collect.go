package main

import (
	"cmp"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/risk"
)

// flowEntry is one closed flow as analyze keeps it until the capture ends:
// the fields it is sorted by, and either its record or its JSON encoding.
type flowEntry struct {
	firstSeen              int64 // nanoseconds since the Unix epoch
	clientIP, serverIP, l4 string
	clientPort, serverPort uint16
	vlan                   uint16
	record                 *record.Flow
	// line is the record as one line of JSON Lines, without the newline.
	line []byte
}

// entryChunk is how many flows one block of a collector holds.
const entryChunk = 4096

// collector keeps the closed flows in fixed-size blocks, one list of blocks
// per worker, so that workers do not contend and a growing list never
// copies what it holds.
type collector struct {
	encode  bool
	mu      sync.Mutex
	workers [][][]flowEntry
	// buffers holds the buffers that records are encoded into before
	// encodeLine copies them out at their exact length.
	buffers sync.Pool
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
		if c.encode {
			e.line = c.encodeLine(r)
		} else {
			e.record = r
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for len(c.workers) <= worker {
			c.workers = append(c.workers, nil)
		}
		blocks := c.workers[worker]
		if len(blocks) == 0 || len(blocks[len(blocks)-1]) == entryChunk {
			blocks = append(blocks, make([]flowEntry, 0, entryChunk))
		}
		last := len(blocks) - 1
		blocks[last] = append(blocks[last], e)
		c.workers[worker] = blocks
	}
}

// encodeLine returns r as one JSON line without the newline. The slice is
// only as large as the line's allocation size class, because analyze keeps
// every line until the capture ends. The bytes equal a json.Encoder's with
// HTML escaping off, because AppendJSON writes compact JSON and escapes
// HTML itself.
func (c *collector) encodeLine(r *record.Flow) []byte {
	buf, _ := c.buffers.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	*buf = r.AppendJSON((*buf)[:0])
	// append, unlike make and copy, does not clear the bytes it overwrites.
	line := append([]byte(nil), *buf...)
	c.buffers.Put(buf)
	return line
}

// sorted returns every flow ordered by first packet time, then by key, so
// that the output does not depend on the number of workers. It returns an
// empty, non-nil slice when there are no flows.
func (c *collector) sorted() []flowEntry {
	n := 0
	for _, blocks := range c.workers {
		for _, b := range blocks {
			n += len(b)
		}
	}
	all := make([]flowEntry, 0, n)
	for i, blocks := range c.workers {
		for j, b := range blocks {
			all = append(all, b...)
			blocks[j] = nil
		}
		c.workers[i] = nil
	}
	slices.SortFunc(all, compareEntries)
	return all
}

func compareEntries(a, b flowEntry) int {
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

// writeEntries prints the flows: their encoded lines, or as writeRecords
// does when they carry records.
func writeEntries(w io.Writer, format string, flows []flowEntry) error {
	if len(flows) == 0 || flows[0].line == nil {
		records := make([]*record.Flow, len(flows))
		for i := range flows {
			records[i] = flows[i].record
		}
		return writeRecords(w, format, records)
	}
	for i := range flows {
		if _, err := w.Write(flows[i].line); err != nil {
			return err
		}
		if _, err := w.Write([]byte{'\n'}); err != nil {
			return err
		}
		flows[i].line = nil
	}
	return nil
}
