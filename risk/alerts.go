package risk

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/flowlens/flowlens/record"
)

// Alert is one risk raised on one flow.
type Alert struct {
	ID          uint64
	Time        time.Time
	Risk        string
	Severity    string
	Score       int
	FlowID      string
	App         string
	ClientIP    netip.Addr
	ClientPort  uint16
	ServerIP    netip.Addr
	ServerPort  uint16
	Info        string
	Description string
}

// AlertQuery selects alerts. Zero fields match everything; Severity is
// the minimum severity by name; Host matches the client or the server.
type AlertQuery struct {
	From, To time.Time
	Severity string
	Risk     string
	Host     netip.Addr
	// Page counts from 0; Size 0 means 50 alerts a page.
	Page, Size int
}

// AlertLog keeps the newest alerts in a bounded ring. It is safe for
// concurrent use.
type AlertLog struct {
	mu      sync.Mutex
	ring    []Alert
	next    int // index the next alert is written at
	count   int
	nextID  uint64
	dropped uint64
}

// NewAlertLog returns a log that keeps up to capacity alerts (at least 1).
func NewAlertLog(capacity int) *AlertLog {
	return &AlertLog{ring: make([]Alert, max(capacity, 1))}
}

// Add records one alert per finding of the flow r, at time at.
func (l *AlertLog) Add(r *record.Flow, findings []Finding, at time.Time) {
	client, _ := netip.ParseAddr(r.ClientIP)
	server, _ := netip.ParseAddr(r.ServerIP)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range findings {
		in, _ := Lookup(f.Risk)
		l.nextID++
		if l.count == len(l.ring) {
			l.dropped++
		} else {
			l.count++
		}
		l.ring[l.next] = Alert{
			ID: l.nextID, Time: at, Risk: f.Risk, Severity: in.Severity.String(), Score: in.Score,
			FlowID: r.ID, App: r.App, ClientIP: client, ClientPort: r.ClientPort,
			ServerIP: server, ServerPort: r.ServerPort, Info: r.Info, Description: f.Description,
		}
		l.next = (l.next + 1) % len(l.ring)
	}
}

// Dropped returns how many alerts were pushed out of the ring by newer ones.
func (l *AlertLog) Dropped() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// Alerts returns one page of the alerts that match q, newest first, and
// how many match in all.
func (l *AlertLog) Alerts(ctx context.Context, q AlertQuery) ([]Alert, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	minSeverity := Low
	if q.Severity != "" {
		s, ok := ParseSeverity(q.Severity)
		if !ok {
			return nil, 0, errInvalidSeverity(q.Severity)
		}
		minSeverity = s
	}
	size := q.Size
	if size <= 0 {
		size = 50
	}
	skip := max(q.Page, 0) * size

	l.mu.Lock()
	defer l.mu.Unlock()
	var page []Alert
	total := 0
	for i := 1; i <= l.count; i++ {
		a := &l.ring[(l.next-i+len(l.ring))%len(l.ring)]
		if !q.matches(a, minSeverity) {
			continue
		}
		if total >= skip && len(page) < size {
			page = append(page, *a)
		}
		total++
	}
	return page, total, nil
}

func (q *AlertQuery) matches(a *Alert, minSeverity Severity) bool {
	if !q.From.IsZero() && a.Time.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && !a.Time.Before(q.To) {
		return false
	}
	if q.Risk != "" && a.Risk != q.Risk {
		return false
	}
	if q.Host.IsValid() && a.ClientIP != q.Host && a.ServerIP != q.Host {
		return false
	}
	s, _ := ParseSeverity(a.Severity)
	return s >= minSeverity
}

type errInvalidSeverity string

func (e errInvalidSeverity) Error() string {
	return "risk: invalid severity " + strconv.Quote(string(e)) + ", expected Low, Medium, High, Severe, Critical or Emergency"
}
