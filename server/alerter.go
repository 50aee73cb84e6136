package server

import (
	"context"
	"log/slog"
	"net/netip"
	"slices"
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

// restoreChunk is the number of flow IDs in each flow query of Restore.
const restoreChunk = 500

// Restore fills the in-memory log with the newest alerts in the store, so
// that the Alerts page keeps the alerts of earlier runs. Each alert takes
// its application and info from its stored flow, when the store has it.
// It returns the number of alerts restored.
func (a *Alerter) Restore(ctx context.Context) (int, error) {
	stored, err := a.st.QueryAlerts(ctx, store.AlertQuery{Limit: alertCapacity})
	if err != nil {
		return 0, err
	}
	flows := map[string]*record.Flow{}
	var ids []string
	for _, al := range stored {
		if _, ok := flows[al.FlowID]; !ok && al.FlowID != "" {
			flows[al.FlowID] = nil
			ids = append(ids, al.FlowID)
		}
	}
	for chunk := range slices.Chunk(ids, restoreChunk) {
		found, err := a.st.QueryFlows(ctx, store.Query{Scope: store.Scope{Filter: store.Cond("id", store.OpIn, chunk...)}})
		if err != nil {
			return 0, err
		}
		for _, fl := range found {
			flows[fl.ID] = fl
		}
	}
	// The store gives the newest first, and the log takes them in order.
	for _, al := range slices.Backward(stored) {
		r := flows[al.FlowID]
		if r == nil {
			r = &record.Flow{ID: al.FlowID}
			if al.Client.IsValid() {
				r.ClientIP, r.ClientPort = al.Client.Addr().String(), al.Client.Port()
			}
			if al.Server.IsValid() {
				r.ServerIP, r.ServerPort = al.Server.Addr().String(), al.Server.Port()
			}
		}
		a.log.Add(r, []risk.Finding{{Risk: al.Risk, Description: al.Description}}, al.Time)
	}
	return len(stored), nil
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
