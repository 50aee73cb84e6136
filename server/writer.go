package server

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/store"
)

// BatchWriter hands items to the store in batches from its own goroutine.
// A batch goes when it is full or a second old. Callers of Add wait for
// the store only when four batches are already queued.
type BatchWriter[T any] struct {
	write func(context.Context, []T) error
	kind  string // "flows" or "alerts", for the log
	log   *slog.Logger
	in    chan T
	done  chan struct{}

	failed atomic.Uint64 // items whose write failed
}

// FlowWriter writes closed flows to the store.
type FlowWriter = BatchWriter[*record.Flow]

const (
	writeBatch    = 5000
	writeInterval = time.Second
)

// NewBatchWriter starts a writer that hands batches of items to write, until
// Close; kind names the items in the log.
func NewBatchWriter[T any](kind string, write func(context.Context, []T) error, logger *slog.Logger) *BatchWriter[T] {
	w := &BatchWriter[T]{write: write, kind: kind, log: logger, in: make(chan T, 4*writeBatch), done: make(chan struct{})}
	go w.run()
	return w
}

// NewFlowWriter starts a writer of closed flows into st, until Close.
func NewFlowWriter(st store.Store, logger *slog.Logger) *FlowWriter {
	return NewBatchWriter("flows", st.WriteFlows, logger)
}

// Add queues an item. It blocks while the queue is full.
func (w *BatchWriter[T]) Add(item T) { w.in <- item }

// Queued returns the number of items waiting for the store.
func (w *BatchWriter[T]) Queued() int { return len(w.in) }

// Failed returns the number of items whose write failed.
func (w *BatchWriter[T]) Failed() uint64 { return w.failed.Load() }

// Close writes what is pending and stops the writer.
func (w *BatchWriter[T]) Close() {
	close(w.in)
	<-w.done
}

func (w *BatchWriter[T]) run() {
	defer close(w.done)
	t := time.NewTicker(writeInterval)
	defer t.Stop()
	batch := make([]T, 0, writeBatch)
	for {
		select {
		case item, ok := <-w.in:
			if !ok {
				w.flush(batch)
				return
			}
			batch = append(batch, item)
			if len(batch) == writeBatch {
				batch = w.flush(batch)
			}
		case <-t.C:
			batch = w.flush(batch)
		}
	}
}

// flush writes batch and returns an empty batch for the next items.
func (w *BatchWriter[T]) flush(batch []T) []T {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.write(ctx, batch); err != nil {
		w.failed.Add(uint64(len(batch)))
		w.log.Error("writing to the store failed", "kind", w.kind, "count", len(batch), "err", err)
	}
	return make([]T, 0, writeBatch)
}
