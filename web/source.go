package web

import (
	"context"
	"net/netip"
	"time"

	"github.com/flowlens/flowlens/geo"
	"github.com/flowlens/flowlens/record"
)

// ActiveFlow is one flow of the live flow table.
type ActiveFlow struct {
	// Flow is a copy of the flow's record that nothing modifies once it has
	// been handed to the web server.
	Flow *record.Flow
	// Throughput is the flow's rate in bits per second, both directions
	// together, over the last few seconds of packet time.
	Throughput float64
}

// Stats holds the capture counters shown in the top bar of every page.
type Stats struct {
	PacketsPerSecond float64 `json:"packets_per_second"`
	BytesPerSecond   float64 `json:"bytes_per_second"`
	ActiveFlows      int     `json:"active_flows"`
}

// Live is the live flow table as the web server reads it.
type Live interface {
	// ActiveFlows returns a snapshot of every active flow. The caller owns
	// the slice and may reorder it.
	ActiveFlows(ctx context.Context) []ActiveFlow
	// ActiveFlow returns the active flow with the given record ID.
	ActiveFlow(ctx context.Context, id string) (ActiveFlow, bool)
	// Stats returns the current packet and byte rates and the flow count.
	Stats(ctx context.Context) Stats
}

// HistoryQuery selects one page of stored flows.
type HistoryQuery struct {
	// Filter is a filter expression in the store's syntax: `field op value`
	// terms joined with and, or, not and parentheses. Empty matches all.
	Filter string
	// From and To bound the flows' first_seen, From inclusive, To
	// exclusive, as the store's scopes do.
	From, To time.Time
	// Sort is a flow record field name, or bytes (both directions) or
	// duration. Desc reverses the order.
	Sort string
	Desc bool
	// Page counts from 1. Size is the number of rows per page.
	Page, Size int
}

// TopEntry is one value of a top-N list, with the bytes and flows that
// carry it.
type TopEntry struct {
	Value string `json:"value"`
	Bytes uint64 `json:"bytes"`
	Flows int    `json:"flows"`
	// Located marks a country found from the addresses because the store
	// has no countries for these flows. A filter on it matches none.
	Located bool `json:"located,omitempty"`
}

// TimeBucket is the byte count of the flows that started in
// [Start, Start+width).
type TimeBucket struct {
	Start time.Time `json:"start"`
	Bytes uint64    `json:"bytes"`
}

// InvalidRequestError wraps an error of a History method that the request
// itself caused, such as a filter that does not parse. The API returns it
// with status 400 and any other History error with 503.
type InvalidRequestError struct{ Err error }

func (e *InvalidRequestError) Error() string { return e.Err.Error() }
func (e *InvalidRequestError) Unwrap() error { return e.Err }

// History is the store of closed flows that the explorer queries.
type History interface {
	// Query returns one page of flows matching q and the number of flows
	// matching q in all pages.
	Query(ctx context.Context, q HistoryQuery) (flows []record.Flow, total int, err error)
	// Top returns the n values of field that carry the most bytes among the
	// flows matching filter in [from, to).
	Top(ctx context.Context, field, filter string, from, to time.Time, n int) ([]TopEntry, error)
	// BytesOverTime returns the bytes of the matching flows in buckets of
	// equal width covering [from, to), oldest first.
	BytesOverTime(ctx context.Context, filter string, from, to time.Time, buckets int) ([]TimeBucket, error)
	// Flow returns the stored flow with the given record ID.
	Flow(ctx context.Context, id string) (record.Flow, bool, error)
}

// Alert is one flow issue raised as an alert.
type Alert struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Risk       string    `json:"risk"`
	Severity   string    `json:"severity"`
	Score      int       `json:"score"`
	FlowID     string    `json:"flow_id"`
	App        string    `json:"app,omitempty"`
	ClientIP   string    `json:"client_ip"`
	ClientPort uint16    `json:"client_port,omitempty"`
	ServerIP   string    `json:"server_ip"`
	ServerPort uint16    `json:"server_port,omitempty"`
	Info       string    `json:"info,omitempty"`
	// Description is what raised the alert in this flow, such as the
	// certificate's expiry date or the blocklisted fingerprint, or the
	// risk's title when the risk stage has no detail.
	Description string `json:"description,omitempty"`
}

// AlertQuery selects one page of alerts. Zero fields do not filter.
type AlertQuery struct {
	From, To time.Time
	// Severity keeps alerts of this severity or a higher one, in nDPI's
	// scale: Low, Medium, High, Severe, Critical, Emergency.
	Severity string
	// Risk keeps alerts of this risk name.
	Risk string
	// Host keeps alerts whose client or server is this address.
	Host netip.Addr
	// Page counts from 1. A Size of 0 returns no alerts, only the total.
	Page, Size int
}

// Alerts is the store of alerts, newest first.
type Alerts interface {
	// Alerts returns one page of alerts matching q and the number of
	// alerts matching q in all pages.
	Alerts(ctx context.Context, q AlertQuery) (alerts []Alert, total int, err error)
}

// Locator returns the country, AS and locality of an address;
// *geo.Resolver implements it.
type Locator interface {
	Locate(addr netip.Addr) geo.Location
}

// RiskInfo describes a flow risk for the flow details page.
type RiskInfo struct {
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Severity    string `json:"severity,omitempty"`
	Score       int    `json:"score,omitempty"`
	Description string `json:"description,omitempty"`
}

// RiskCatalog returns the title, severity, score and description of a risk
// name as the risk stage defines them.
type RiskCatalog interface {
	Describe(name string) (RiskInfo, bool)
}
