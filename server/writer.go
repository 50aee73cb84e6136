package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/store"
)

// FlowWriter batches closed flows into the store, so that the pipeline's
// workers wait for the store only while four batches are queued. A batch
// is written when it is full or a second old.
type FlowWriter struct {
	st   store.Store
	log  *slog.Logger
	in   chan *record.Flow
	done chan struct{}
}

const (
	writeBatch    = 5000
	writeInterval = time.Second
)

// NewFlowWriter starts a FlowWriter that writes to st until Close.
func NewFlowWriter(st store.Store, logger *slog.Logger) *FlowWriter {
	w := &FlowWriter{st: st, log: logger, in: make(chan *record.Flow, 4*writeBatch), done: make(chan struct{})}
	go w.run()
	return w
}

// Add queues a closed flow. It blocks while the queue is full.
func (w *FlowWriter) Add(r *record.Flow) { w.in <- r }

// Close writes what is pending and stops the writer.
func (w *FlowWriter) Close() {
	close(w.in)
	<-w.done
}

func (w *FlowWriter) run() {
	defer close(w.done)
	t := time.NewTicker(writeInterval)
	defer t.Stop()
	batch := make([]*record.Flow, 0, writeBatch)
	for {
		select {
		case r, ok := <-w.in:
			if !ok {
				w.flush(batch)
				return
			}
			batch = append(batch, r)
			if len(batch) == writeBatch {
				batch = w.flush(batch)
			}
		case <-t.C:
			batch = w.flush(batch)
		}
	}
}

// flush writes batch and returns an empty batch for the next flows.
func (w *FlowWriter) flush(batch []*record.Flow) []*record.Flow {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.st.WriteFlows(ctx, batch); err != nil {
		w.log.Error("writing flows to the store failed", "flows", len(batch), "err", err)
	}
	return make([]*record.Flow, 0, writeBatch)
}
