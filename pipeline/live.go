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

// Rates are the live capture's counters per second of packet time, as
// the flows' throughput is.
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

	// wall reads the wall clock; tests replace it.
	wall func() time.Time
	// packetTime and seenAt are the latest packet time and the wall time
	// at which a refresh first saw it.
	packetTime int64
	seenAt     time.Time
	// lastNow and lastRead are the clock and the counters at the last
	// refresh.
	lastNow  int64
	lastRead Counters
}

// NewLive returns a live view of p refreshed every period. decide, if not
// nil, completes each snapshot record (the risk stage).
func (p *Pipeline) NewLive(every time.Duration, decide func(*record.Flow)) *Live {
	return &Live{p: p, every: every, decide: decide, byID: map[string]int{}, wall: time.Now}
}

// clock returns the live view's time in nanoseconds: the latest packet
// time plus the wall time since a refresh first saw it, so that rates fall
// to zero when packets stop.
func (l *Live) clock() int64 {
	wall := l.wall()
	if pt := l.p.lastPacketTime(); pt != l.packetTime || l.seenAt.IsZero() {
		l.packetTime, l.seenAt = pt, wall
	}
	return l.packetTime + int64(max(wall.Sub(l.seenAt), 0))
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
	now := l.clock()
	// A flow's rate is taken over the time since its last sample, once
	// that is half a refresh period. With a full period, a clock that runs
	// a little behind the refreshes skipped every other sample, and a new
	// flow showed no rate for up to two periods.
	window := int64(l.every / 2)
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
	rates := l.measure(now, len(flows))
	l.mu.Lock()
	l.flows, l.byID, l.current = flows, byID, rates
	l.mu.Unlock()
}

// measure returns the rates since the last refresh, on the clock of the
// live view, so that a replay faster than real time shows the rates of the
// capture, as the flows do.
func (l *Live) measure(now int64, active int) Rates {
	read := l.p.Progress()
	r := Rates{ActiveFlows: active}
	if l.lastNow != 0 {
		// Timestamps that go back leave the rates at zero.
		if secs := float64(now-l.lastNow) / 1e9; secs > 0 {
			r.PacketsPerSecond = float64(read.Packets-l.lastRead.Packets) / secs
			r.BytesPerSecond = float64(read.Bytes-l.lastRead.Bytes) / secs
		}
	}
	l.lastNow, l.lastRead = now, read
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
