// Package store keeps closed flows and alerts for the historical explorer,
// behind one Store interface with two backends: an embedded DuckDB database
// under a data directory (the default, no server to run) and ClickHouse
// over HTTP, alone or as a cluster. Queries take one filter model (see
// Filter and ParseFilter) shared by the web explorer, the REST API and the
// command line. Spooled puts an on-disk spool in front of any Store so that
// a slow or absent backend loses no flows.
package store

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/flowlens/flowlens/record"
)

// Store keeps flow records and alerts and answers the explorer's queries.
// Implementations are safe for concurrent use.
type Store interface {
	// WriteFlows stores a batch of closed flows.
	WriteFlows(ctx context.Context, flows []*record.Flow) error
	// WriteAlerts stores a batch of alerts.
	WriteAlerts(ctx context.Context, alerts []Alert) error
	// QueryFlows returns the flows a query selects, in its order.
	QueryFlows(ctx context.Context, q Query) ([]*record.Flow, error)
	// QueryAlerts returns the alerts raised in [From, To), newest first.
	QueryAlerts(ctx context.Context, q AlertQuery) ([]Alert, error)
	// Count returns how many flows the scope selects.
	Count(ctx context.Context, s Scope) (uint64, error)
	// Top returns the values of one field that carry the most bytes.
	Top(ctx context.Context, q TopQuery) ([]TopEntry, error)
	// BytesOverTime sums bytes and counts flows per time bucket of first_seen.
	BytesOverTime(ctx context.Context, q SeriesQuery) ([]SeriesPoint, error)
	// Close releases the backend's resources.
	Close() error
}

// Scope selects flows: those whose first_seen is in [From, To) and that
// match Filter. A zero From or To leaves that end open; a nil Filter
// matches every flow.
type Scope struct {
	Filter *Filter
	From   time.Time
	To     time.Time
}

// Query selects a page of flows. OrderBy is a stored field's dotted name
// (first_seen when empty); ties are broken by first_seen and the flow key.
// A Limit of 0 returns every flow.
type Query struct {
	Scope
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int
}

// TopQuery asks for the N values of field By with the most bytes
// (c2s_bytes + s2c_bytes) in the scope.
type TopQuery struct {
	Scope
	By string
	N  int
}

// TopEntry is one value of a Top answer.
type TopEntry struct {
	Value string `json:"value"`
	Bytes uint64 `json:"bytes"`
	Flows uint64 `json:"flows"`
}

// SeriesQuery asks for bytes per Bucket of first_seen in the scope, Bucket
// a whole number of microseconds. The buckets start at the scope's From,
// or at the Unix epoch when From is zero.
type SeriesQuery struct {
	Scope
	Bucket time.Duration
}

// SeriesPoint is one bucket of a BytesOverTime answer; buckets without
// flows are left out.
type SeriesPoint struct {
	Start time.Time `json:"start"`
	Bytes uint64    `json:"bytes"`
	Flows uint64    `json:"flows"`
}

// Alert is one flow issue raised as an alert.
type Alert struct {
	Time        time.Time      `json:"time"`
	Severity    string         `json:"severity"`
	Risk        string         `json:"risk"`
	Description string         `json:"description,omitempty"`
	Client      netip.AddrPort `json:"client"`
	Server      netip.AddrPort `json:"server"`
	FlowID      string         `json:"flow_id,omitempty"`
}

// AlertQuery selects alerts raised in [From, To); a Limit of 0 returns all.
type AlertQuery struct {
	From  time.Time
	To    time.Time
	Limit int
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("store: "+format, args...)
}

// validBucket checks a series bucket and returns it in microseconds.
func validBucket(d time.Duration) (int64, error) {
	if d < time.Microsecond || d%time.Microsecond != 0 {
		return 0, errorf("invalid bucket %v: use a whole number of microseconds, at least 1µs", d)
	}
	return d.Microseconds(), nil
}

// topField checks the field of a Top query.
func topField(name string) (*field, error) {
	f, ok := lookupField(name)
	if !ok || f.sum != nil || f.kind == kindList || f.kind == kindTime {
		return nil, errorf("cannot rank by %q: give a string, number or address field such as app, server_ip or tls.sni", name)
	}
	return f, nil
}
