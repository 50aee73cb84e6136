package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/record"
)

// ActiveFlow is one open flow as the live view shows it.
type ActiveFlow struct {
	// Record is a copy that nothing modifies after the snapshot.
	Record *record.Flow
	// Throughput is in bits per second, both directions together.
	Throughput float64
}

// Rates are the live capture's counters per second.
type Rates struct {
	PacketsPerSecond float64
	BytesPerSecond   float64
	ActiveFlows      int
}

// Live keeps a copy of the open flows, refreshed periodically from the
// workers, so that web requests never touch the tables.
type Live struct {
	p      *Pipeline
	every  time.Duration
	decide func(*record.Flow)

	mu      sync.RWMutex
	flows   []ActiveFlow
	byID    map[string]int
	current Rates

	lastWall time.Time
	lastRead Counters
}

// NewLive returns a live view of p refreshed every period. decide, if not
// nil, completes each snapshot record (the risk stage).
func (p *Pipeline) NewLive(every time.Duration, decide func(*record.Flow)) *Live {
	return &Live{p: p, every: every, decide: decide, byID: map[string]int{}}
}

// Run refreshes the view until ctx ends.
func (l *Live) Run(ctx context.Context) {
	t := time.NewTicker(l.every)
	defer t.Stop()
	l.Refresh()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Refresh()
		}
	}
}

// Refresh takes a new snapshot of every worker's open flows.
func (l *Live) Refresh() {
	now := l.p.lastPacketTime()
	window := int64(l.every)
	var flows []ActiveFlow
	l.p.Do(func(t *flow.Table) {
		t.Each(func(f *flow.Flow) {
			f.SampleRate(now, window)
			flows = append(flows, ActiveFlow{Record: f.Record(), Throughput: f.Throughput()})
		})
	})
	// Judging happens here, off the workers, so that a slow decide never
	// holds up the packets.
	if l.decide != nil {
		for _, f := range flows {
			l.decide(f.Record)
		}
	}
	byID := make(map[string]int, len(flows))
	for i, f := range flows {
		byID[f.Record.ID] = i
	}
	rates := l.measure(len(flows))
	l.mu.Lock()
	l.flows, l.byID, l.current = flows, byID, rates
	l.mu.Unlock()
}

func (l *Live) measure(active int) Rates {
	wall := time.Now()
	read := l.p.Progress()
	r := Rates{ActiveFlows: active}
	if !l.lastWall.IsZero() {
		secs := wall.Sub(l.lastWall).Seconds()
		if secs > 0 {
			r.PacketsPerSecond = float64(read.Packets-l.lastRead.Packets) / secs
			r.BytesPerSecond = float64(read.Bytes-l.lastRead.Bytes) / secs
		}
	}
	l.lastWall, l.lastRead = wall, read
	return r
}

// Flows returns the last snapshot. The caller may reorder the slice but
// must not modify the records.
func (l *Live) Flows() []ActiveFlow {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]ActiveFlow, len(l.flows))
	copy(out, l.flows)
	return out
}

// Flow returns the open flow with the given record ID.
func (l *Live) Flow(id string) (ActiveFlow, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	i, ok := l.byID[id]
	if !ok {
		return ActiveFlow{}, false
	}
	return l.flows[i], true
}

// Rates returns the rates measured at the last refresh.
func (l *Live) Rates() Rates {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.current
}
