package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"net/netip"
	"sync"
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
	judge *risk.Evaluator
	log   *risk.AlertLog
	st    store.Store
	slog  *slog.Logger

	mu     sync.Mutex
	raised map[string]map[string]bool // flow ID -> risks already alerted
}

func newAlerter(judge *risk.Evaluator, st store.Store, logger *slog.Logger) *alerter {
	return &alerter{judge: judge, log: risk.NewAlertLog(alertCapacity), st: st, slog: logger, raised: map[string]map[string]bool{}}
}

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
	a.log.Add(r, fresh, r.LastSeen)
	a.store(r, fresh)
}

func (a *alerter) store(r *record.Flow, findings []risk.Finding) {
	client, _ := netip.ParseAddr(r.ClientIP)
	server, _ := netip.ParseAddr(r.ServerIP)
	alerts := make([]store.Alert, len(findings))
	for i, f := range findings {
		in, _ := risk.Lookup(f.Risk)
		alerts[i] = store.Alert{
			Time: r.LastSeen, Severity: in.Severity.String(), Risk: f.Risk, Description: f.Description,
			Client: netip.AddrPortFrom(client, r.ClientPort), Server: netip.AddrPortFrom(server, r.ServerPort),
			FlowID: r.ID,
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.st.WriteAlerts(ctx, alerts); err != nil {
		a.slog.Error("writing alerts to the store failed", "flow", r.ID, "err", err)
	}
}

// flowWriter batches closed flows into the store through a buffered
// channel, so that workers wait only when the store falls behind by more
// than the buffer. A batch goes when it is full or a second old.
type flowWriter struct {
	st   store.Store
	log  *slog.Logger
	in   chan *record.Flow
	done chan struct{}
}

const (
	writeBatch    = 5000
	writeInterval = time.Second
)

func newFlowWriter(st store.Store, logger *slog.Logger) *flowWriter {
	w := &flowWriter{st: st, log: logger, in: make(chan *record.Flow, 4*writeBatch), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *flowWriter) add(r *record.Flow) { w.in <- r }

// close writes what is pending and stops the writer.
func (w *flowWriter) close() {
	close(w.in)
	<-w.done
}

func (w *flowWriter) run() {
	defer close(w.done)
	t := time.NewTicker(writeInterval)
	defer t.Stop()
	batch := make([]*record.Flow, 0, writeBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := w.st.WriteFlows(ctx, batch); err != nil {
			w.log.Error("writing flows to the store failed", "flows", len(batch), "err", err)
		}
		cancel()
		batch = make([]*record.Flow, 0, writeBatch)
	}
	for {
		select {
		case r, ok := <-w.in:
			if !ok {
				flush()
				return
			}
			batch = append(batch, r)
			if len(batch) == writeBatch {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}
