package server

import (
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"

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

	writer     *BatchWriter[store.Alert]
	bySeverity [risk.Emergency + 1]atomic.Uint64 // alerts raised
}

// provisional lists the risks that an open flow may still lose: a reply
// can come, a handshake can complete. They are alerted only when the flow
// closes, though the live table shows them meanwhile.
var provisional = map[string]bool{"unidirectional_traffic": true, "tcp_issues": true, "low_goodput": true}

// NewAlerter returns an Alerter that judges flows with judge and writes
// their alerts to st. Close stops its store writer.
func NewAlerter(judge *risk.Evaluator, st store.Store, logger *slog.Logger) *Alerter {
	return &Alerter{
		judge: judge, log: risk.NewAlertLog(alertCapacity), st: st, logger: logger,
		raised: map[string]map[string]bool{},
		writer: NewBatchWriter("alerts", st.WriteAlerts, logger),
	}
}

// Close writes the alerts still queued and stops the store writer.
func (a *Alerter) Close() { a.writer.Close() }

// SeverityCounts returns the number of alerts raised per severity.
func (a *Alerter) SeverityCounts() [risk.Emergency + 1]uint64 {
	var out [risk.Emergency + 1]uint64
	for i := range a.bySeverity {
		out[i] = a.bySeverity[i].Load()
	}
	return out
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
	for _, f := range fresh {
		// An unknown risk counts as Low, as the alert log shows it.
		if in, _ := risk.Lookup(f.Risk); in.Severity <= risk.Emergency {
			a.bySeverity[in.Severity].Add(1)
		}
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
		a.writer.Add(al)
	}
}
