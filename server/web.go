// Package server joins the pipeline, the risk stage and the store to the
// web UI: it adapts their live flows, stored flows and alerts to the web
// package's interfaces and raises alerts as flows are judged. flowlens
// serve and the browser tests build their web handler with NewWebHandler.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/risk"
	"github.com/flowlens/flowlens/store"
	"github.com/flowlens/flowlens/web"
)

// LiveView serves the pipeline's live snapshot to the web UI.
type LiveView struct{ Live *pipeline.Live }

// ActiveFlows returns the flows of the last snapshot.
func (v LiveView) ActiveFlows(context.Context) []web.ActiveFlow {
	flows := v.Live.Flows()
	out := make([]web.ActiveFlow, len(flows))
	for i, f := range flows {
		out[i] = web.ActiveFlow{Flow: f.Record, Throughput: f.Throughput}
	}
	return out
}

// ActiveFlow returns the flow with the record ID id from the last snapshot.
func (v LiveView) ActiveFlow(_ context.Context, id string) (web.ActiveFlow, bool) {
	f, ok := v.Live.Flow(id)
	return web.ActiveFlow{Flow: f.Record, Throughput: f.Throughput}, ok
}

// Stats returns the rates measured at the last snapshot.
func (v LiveView) Stats(context.Context) web.Stats {
	r := v.Live.Rates()
	return web.Stats{PacketsPerSecond: r.PacketsPerSecond, BytesPerSecond: r.BytesPerSecond, ActiveFlows: r.ActiveFlows}
}

// HistoryView serves the explorer's queries from the store.
type HistoryView struct{ Store store.Store }

func scope(filter string, from, to time.Time) (store.Scope, error) {
	s := store.Scope{From: from, To: to}
	if filter == "" {
		return s, nil
	}
	f, err := store.ParseFilter(filter)
	if err != nil {
		return s, &web.InvalidRequestError{Err: err}
	}
	s.Filter = f
	return s, nil
}

// Query returns one page of stored flows and the number of matching flows.
func (h HistoryView) Query(ctx context.Context, q web.HistoryQuery) ([]record.Flow, int, error) {
	sc, err := scope(q.Filter, q.From, q.To)
	if err != nil {
		return nil, 0, err
	}
	total, err := h.Store.Count(ctx, sc)
	if err != nil {
		return nil, 0, err
	}
	size := max(q.Size, 1)
	flows, err := h.Store.QueryFlows(ctx, store.Query{Scope: sc, OrderBy: q.Sort, Desc: q.Desc, Limit: size, Offset: (max(q.Page, 1) - 1) * size})
	if err != nil {
		return nil, 0, err
	}
	out := make([]record.Flow, len(flows))
	for i, f := range flows {
		out[i] = *f
	}
	return out, int(total), nil
}

// Top returns the n values of field that carry the most bytes.
func (h HistoryView) Top(ctx context.Context, field, filter string, from, to time.Time, n int) ([]web.TopEntry, error) {
	sc, err := scope(filter, from, to)
	if err != nil {
		return nil, err
	}
	entries, err := h.Store.Top(ctx, store.TopQuery{Scope: sc, By: field, N: n})
	if err != nil {
		return nil, err
	}
	out := make([]web.TopEntry, len(entries))
	for i, e := range entries {
		out[i] = web.TopEntry{Value: e.Value, Bytes: e.Bytes, Flows: int(e.Flows)}
	}
	return out, nil
}

// BytesOverTime returns the bytes of the matching flows in equal buckets
// from from to to. The buckets are whole microseconds wide, so the last
// one may end up to a microsecond per bucket after to.
func (h HistoryView) BytesOverTime(ctx context.Context, filter string, from, to time.Time, buckets int) ([]web.TimeBucket, error) {
	sc, err := scope(filter, from, to)
	if err != nil {
		return nil, err
	}
	// The store counts buckets from the microsecond of from.
	start := from.Truncate(time.Microsecond)
	n := int64(max(buckets, 1))
	spanUs := max(int64((to.Sub(start)+time.Microsecond-1)/time.Microsecond), 1)
	width := time.Duration((spanUs+n-1)/n) * time.Microsecond
	points, err := h.Store.BytesOverTime(ctx, store.SeriesQuery{Scope: sc, Bucket: width})
	if err != nil {
		return nil, err
	}
	out := make([]web.TimeBucket, n)
	for i := range out {
		out[i].Start = start.Add(time.Duration(i) * width)
	}
	for _, p := range points {
		if i := p.Start.Sub(start) / width; i >= 0 && int64(i) < n {
			out[i].Bytes += p.Bytes
		}
	}
	return out, nil
}

// Flow returns the stored flow with the record ID id.
func (h HistoryView) Flow(ctx context.Context, id string) (record.Flow, bool, error) {
	flows, err := h.Store.QueryFlows(ctx, store.Query{Scope: store.Scope{Filter: store.Cond("id", store.OpEq, id)}, Limit: 1})
	if err != nil || len(flows) == 0 {
		return record.Flow{}, false, err
	}
	return *flows[0], true, nil
}

// AlertView serves the in-memory alert log to the web UI.
type AlertView struct{ Log *risk.AlertLog }

// Alerts returns one page of alerts, newest first, and the number of
// matching alerts.
func (a AlertView) Alerts(ctx context.Context, q web.AlertQuery) ([]web.Alert, int, error) {
	alerts, total, err := a.Log.Alerts(ctx, risk.AlertQuery{
		From: q.From, To: q.To, Severity: q.Severity, Risk: q.Risk, Host: q.Host,
		Page: max(q.Page-1, 0), Size: q.Size,
	})
	if err != nil {
		return nil, 0, err
	}
	if q.Size == 0 {
		return nil, total, nil
	}
	out := make([]web.Alert, len(alerts))
	for i, al := range alerts {
		out[i] = web.Alert{
			ID: strconv.FormatUint(al.ID, 10), Time: al.Time, Risk: al.Risk, Severity: al.Severity,
			Score: al.Score, FlowID: al.FlowID, App: al.App,
			ClientIP: addrString(al.ClientIP), ClientPort: al.ClientPort,
			ServerIP: addrString(al.ServerIP), ServerPort: al.ServerPort, Info: al.Info,
			Description: al.Description,
		}
	}
	return out, total, nil
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// RiskCatalog describes risk names with the risk stage's titles,
// severities and scores.
type RiskCatalog struct{}

// Describe returns the risk stage's title, severity and score of a risk name.
func (RiskCatalog) Describe(name string) (web.RiskInfo, bool) {
	in, ok := risk.Lookup(name)
	if !ok {
		return web.RiskInfo{}, false
	}
	return web.RiskInfo{Name: name, Title: in.Title, Severity: in.Severity.String(), Score: in.Score}, true
}

// NewWebHandler returns the web UI and REST API over the pipeline's live
// view, the flows in st and the alerts of alerts. It sets cfg.Risks to the
// risk stage's catalog and keeps cfg's other settings.
func NewWebHandler(cfg web.Config, live *pipeline.Live, st store.Store, alerts *Alerter, logger *slog.Logger) (http.Handler, error) {
	cfg.Risks = RiskCatalog{}
	h, err := web.New(cfg, LiveView{live}, HistoryView{st}, AlertView{alerts.Log()}, logger)
	if err != nil {
		return nil, err
	}
	return CheckHost(cfg.Listen, h), nil
}
