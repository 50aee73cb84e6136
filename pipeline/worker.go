package pipeline

import (
	"sync/atomic"

	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/flow"
)

// worker owns one shard of the flows: its table and their DPI state.
type worker struct {
	index int
	table *flow.Table
	in    chan *batch
	free  chan *batch
	// snapshot holds the table's counters as of the last batch, for
	// readers on other goroutines.
	snapshot atomic.Pointer[flow.Stats]
}

func newWorker(index, count int, cfg Config, engine *dpi.Engine, sink Sink, free chan *batch) *worker {
	w := &worker{index: index, in: make(chan *batch, batchesPerWorker), free: free}
	emit := func(f *flow.Flow) {
		if sink != nil {
			sink(index, f)
		}
	}
	w.table = flow.NewShard(cfg.Flow, engine, emit, uint64(index)+1, uint64(count))
	if freeze := cfg.Freeze; freeze != nil {
		w.table.SetFreezer(func(f *flow.Flow) { freeze(index, f) })
	}
	w.snapshot.Store(&flow.Stats{})
	return w
}

func (w *worker) run() {
	for b := range w.in {
		w.handle(b)
	}
	w.table.Flush()
	w.publish()
}

func (w *worker) handle(b *batch) {
	for i := range b.items {
		it := &b.items[i]
		w.table.AddKeyed(&it.pkt, it.key, it.srcIsLo, it.wireLen, it.ts)
	}
	if b.tick != 0 {
		w.table.Expire(b.tick)
	}
	if b.do != nil {
		b.do(w)
		close(b.done)
	}
	w.publish()
	b.reset()
	w.free <- b
}

func (w *worker) publish() {
	s := w.table.Stats()
	w.snapshot.Store(&s)
}

func (w *worker) stats() flow.Stats { return *w.snapshot.Load() }
