package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/risk"
	"github.com/flowlens/flowlens/store"
)

// newRunID returns a random non-zero run ID for flow IDs.
func newRunID() uint32 {
	var b [4]byte
	for {
		rand.Read(b[:])
		if id := binary.BigEndian.Uint32(b[:]); id != 0 {
			return id
		}
	}
}

// alertCapacity bounds the alerts kept in memory for the Alerts page.
const alertCapacity = 100_000

// alerter judges flow risks and raises each risk of a flow as an alert
// once: when a live snapshot first shows it, or when the flow closes.
type alerter struct {
	judge  *risk.Evaluator
	log    *risk.AlertLog
	writer *batchWriter[store.Alert]

	mu     sync.Mutex
	raised map[string]map[string]bool // flow ID -> risks already alerted

	bySeverity [risk.Emergency + 1]atomic.Uint64 // alerts raised
}

// severityCounts returns the number of alerts raised per severity.
func (a *alerter) severityCounts() [risk.Emergency + 1]uint64 {
	var out [risk.Emergency + 1]uint64
	for i := range a.bySeverity {
		out[i] = a.bySeverity[i].Load()
	}
	return out
}

// newAlerter returns an alerter that writes alerts into st. Call close
// after the last flow is judged.
func newAlerter(judge *risk.Evaluator, st store.Store, logger *slog.Logger) *alerter {
	return &alerter{
		judge: judge, log: risk.NewAlertLog(alertCapacity),
		writer: newBatchWriter("alerts", st.WriteAlerts, logger), raised: map[string]map[string]bool{},
	}
}

// close writes the pending alerts to the store.
func (a *alerter) close() { a.writer.close() }

// active judges a snapshot of an open flow.
func (a *alerter) active(r *record.Flow) { a.raise(r, false) }

// closed judges a closed flow and returns it.
func (a *alerter) closed(r *record.Flow) *record.Flow {
	a.raise(r, true)
	return r
}

func (a *alerter) raise(r *record.Flow, closed bool) {
	findings := a.judge.Evaluate(r, r.LastSeen)
	a.mu.Lock()
	seen := a.raised[r.ID]
	var fresh []risk.Finding
	for _, f := range findings {
		if !seen[f.Risk] {
			fresh = append(fresh, f)
		}
	}
	if closed {
		delete(a.raised, r.ID)
	} else if len(fresh) > 0 {
		if seen == nil {
			seen = map[string]bool{}
			a.raised[r.ID] = seen
		}
		for _, f := range fresh {
			seen[f.Risk] = true
		}
	}
	a.mu.Unlock()
	if len(fresh) == 0 {
		return
	}
	for _, f := range fresh {
		// An unknown risk counts as Low, as the alert log shows it.
		if in, _ := risk.Lookup(f.Risk); in.Severity <= risk.Emergency {
			a.bySeverity[in.Severity].Add(1)
		}
	}
	a.log.Add(r, fresh, r.LastSeen)
	a.store(r, fresh)
}

func (a *alerter) store(r *record.Flow, findings []risk.Finding) {
	client, _ := netip.ParseAddr(r.ClientIP)
	server, _ := netip.ParseAddr(r.ServerIP)
	for _, f := range findings {
		in, _ := risk.Lookup(f.Risk)
		a.writer.add(store.Alert{
			Time: r.LastSeen, Severity: in.Severity.String(), Risk: f.Risk, Description: f.Description,
			Client: netip.AddrPortFrom(client, r.ClientPort), Server: netip.AddrPortFrom(server, r.ServerPort),
			FlowID: r.ID,
		})
	}
}

// batchWriter hands items to the store in batches from its own goroutine.
// A batch goes when it is full or a second old. Callers of add wait for
// the store only when four batches are already queued.
type batchWriter[T any] struct {
	write func(context.Context, []T) error
	kind  string // "flows" or "alerts", for the log
	log   *slog.Logger
	in    chan T
	done  chan struct{}

	failed atomic.Uint64 // items whose write failed
}

const (
	writeBatch    = 5000
	writeInterval = time.Second
)

func newBatchWriter[T any](kind string, write func(context.Context, []T) error, logger *slog.Logger) *batchWriter[T] {
	w := &batchWriter[T]{write: write, kind: kind, log: logger, in: make(chan T, 4*writeBatch), done: make(chan struct{})}
	go w.run()
	return w
}

// newFlowWriter returns a writer of closed flows into st.
func newFlowWriter(st store.Store, logger *slog.Logger) *batchWriter[*record.Flow] {
	return newBatchWriter("flows", st.WriteFlows, logger)
}

func (w *batchWriter[T]) add(item T) { w.in <- item }

// close writes what is pending and stops the writer.
func (w *batchWriter[T]) close() {
	close(w.in)
	<-w.done
}

func (w *batchWriter[T]) run() {
	defer close(w.done)
	t := time.NewTicker(writeInterval)
	defer t.Stop()
	batch := make([]T, 0, writeBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := w.write(ctx, batch); err != nil {
			w.failed.Add(uint64(len(batch)))
			w.log.Error("writing to the store failed", "kind", w.kind, "count", len(batch), "err", err)
		}
		cancel()
		batch = make([]T, 0, writeBatch)
	}
	for {
		select {
		case item, ok := <-w.in:
			if !ok {
				flush()
				return
			}
			batch = append(batch, item)
			if len(batch) == writeBatch {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}
