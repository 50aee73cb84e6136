package server

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/risk"
	"github.com/flowlens/flowlens/store"
)

// alertCapacity bounds the alerts kept in memory for the Alerts page.
const alertCapacity = 100_000

// Alerter judges flow risks and raises each risk of a flow as an alert
// once: when a live snapshot first shows it, or when the flow closes.
// Alerts go to an in-memory log for the Alerts page and to the store.
type Alerter struct {
	judge  *risk.Evaluator
	log    *risk.AlertLog
	st     store.Store
	logger *slog.Logger

	mu     sync.Mutex
	raised map[string]map[string]bool // flow ID -> risks already alerted

	// queue carries alerts to the goroutine that writes them to the store
	// in batches, so that judging a flood of flows never waits for disk.
	queue   chan store.Alert
	done    chan struct{}
	dropped uint64 // alerts not stored because the queue was full
}

// alertQueue bounds the alerts waiting for the store; past it alerts are
// only kept in memory, and counted.
const alertQueue = 10_000

// provisional lists the risks that an open flow may still lose: a reply
// can come, a handshake can complete. They are alerted only when the flow
// closes, though the live table shows them meanwhile.
var provisional = map[string]bool{"unidirectional_traffic": true, "tcp_issues": true, "low_goodput": true}

// NewAlerter returns an Alerter that judges flows with judge and writes
// their alerts to st. Close stops its store writer.
func NewAlerter(judge *risk.Evaluator, st store.Store, logger *slog.Logger) *Alerter {
	a := &Alerter{
		judge: judge, log: risk.NewAlertLog(alertCapacity), st: st, logger: logger,
		raised: map[string]map[string]bool{},
		queue:  make(chan store.Alert, alertQueue), done: make(chan struct{}),
	}
	go a.writeAlerts()
	return a
}

// Close writes the alerts still queued and stops the store writer.
func (a *Alerter) Close() {
	close(a.queue)
	<-a.done
}

// Log returns the in-memory log of the alerts raised so far.
func (a *Alerter) Log() *risk.AlertLog { return a.log }

// Active judges a snapshot of an open flow. It is the decide function of
// pipeline.Live.
func (a *Alerter) Active(r *record.Flow) { a.raise(r, false) }

// Closed judges a closed flow and returns it.
func (a *Alerter) Closed(r *record.Flow) *record.Flow {
	a.raise(r, true)
	return r
}

func (a *Alerter) raise(r *record.Flow, closed bool) {
	findings := a.judge.Evaluate(r, r.LastSeen)
	a.mu.Lock()
	seen := a.raised[r.ID]
	var fresh []risk.Finding
	for _, f := range findings {
		if !seen[f.Risk] && (closed || !provisional[f.Risk]) {
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

func (a *Alerter) store(r *record.Flow, findings []risk.Finding) {
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
	for _, al := range alerts {
		select {
		case a.queue <- al:
		default:
			a.mu.Lock()
			a.dropped++
			if a.dropped == 1 || a.dropped%10_000 == 0 {
				a.logger.Warn("alerts arrive faster than the store takes them; keeping the excess in memory only", "dropped", a.dropped)
			}
			a.mu.Unlock()
		}
	}
}

// writeAlerts stores queued alerts in batches: when a batch is full or a
// second old.
func (a *Alerter) writeAlerts() {
	defer close(a.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var batch []store.Alert
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := a.st.WriteAlerts(ctx, batch); err != nil {
			a.logger.Error("writing alerts to the store failed", "alerts", len(batch), "err", err)
		}
		cancel()
		batch = nil
	}
	for {
		select {
		case al, ok := <-a.queue:
			if !ok {
				flush()
				return
			}
			batch = append(batch, al)
			if len(batch) >= 1000 {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}
