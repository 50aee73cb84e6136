// Package pipeline wires the stages together: it reads packets from a
// capture source, decodes them, spreads them over flow-table workers by a
// symmetric hash of their flow key, and hands every closed flow's record
// to a sink. analyze and serve both run one.
package pipeline

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/flow"
)

// Sink receives closed flows. worker is the index of the calling worker:
// calls with different indexes may run concurrently, calls with the same
// index never do.
type Sink func(worker int, f *flow.Flow)

// Pipeline runs one capture through decode, flow tables and DPI.
type Pipeline struct {
	cfg     Config
	decoder *decode.Decoder
	engine  *dpi.Engine
	workers []*worker
	free    chan *batch
	pending []*batch
	wg      sync.WaitGroup

	read      Counters
	published struct{ packets, bytes, drops atomic.Uint64 }
	// snapshot is the reader's counters and the decoder's as of the last
	// publish, for Snapshot to read while Run is going.
	snapshotMu sync.Mutex
	snapshot   Stats
	// kernel is the source when it reports kernel counters; pollDrops
	// reads it.
	kernel   capture.StatsSource
	lastPoll time.Time
	lastTS   atomic.Int64
	lastPkt  int64
	lastTick int64
	// behind counts the packets in a row older than the last tick.
	behind    int
	startWall time.Time
}

// resyncPackets is how many packets in a row older than the last tick make
// the pipeline tick at their time. One packet with a timestamp far ahead
// would otherwise stop the ticks, and with them every expiry, until the
// capture's clock caught up with it.
const resyncPackets = 1000

// Counters are the reader's totals.
type Counters struct {
	Packets uint64 // frames read from the source
	Bytes   uint64 // their wire length
	Decoded uint64 // frames that reached a flow
	// Drops counts the packets a live source's kernel dropped because its
	// ring was full, as of the last poll; 0 for capture files.
	Drops uint64
}

// dropsPollInterval is how often, in wall time, Run reads a live source's
// kernel counters.
const dropsPollInterval = time.Second

// New returns a pipeline whose closed flows go to sink. Start must be
// called before Run.
func New(cfg Config, sink Sink) *Pipeline {
	p := &Pipeline{cfg: cfg, decoder: decode.New(cfg.Decode)}
	if !cfg.NoDPI {
		p.engine = dpi.NewEngine(cfg.DPI)
	}
	n := cfg.workers()
	p.free = make(chan *batch, batchesPerWorker*n)
	for i := 0; i < batchesPerWorker*n; i++ {
		p.free <- newBatch()
	}
	for i := 0; i < n; i++ {
		w := newWorker(i, n, cfg, p.engine, sink, p.free)
		p.workers = append(p.workers, w)
		p.pending = append(p.pending, nil)
	}
	return p
}

// Start launches the workers.
func (p *Pipeline) Start() {
	p.startWall = time.Now()
	for _, w := range p.workers {
		p.wg.Add(1)
		go func() { defer p.wg.Done(); w.run() }()
	}
}

// Run reads src until it ends, fails or ctx is cancelled. A truncated last
// record is returned as its *capture.FormatError after every packet before
// it was processed; io.EOF is not an error.
func (p *Pipeline) Run(ctx context.Context, src capture.Source) error {
	var pkt capture.Packet
	var dp decode.Packet
	p.kernel, _ = src.(capture.StatsSource)
	defer p.pollDrops()
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return nil
		}
		err := src.ReadPacket(&pkt)
		if errors.Is(err, capture.ErrTimeout) {
			if ctx.Err() != nil {
				return nil
			}
			p.idle()
			continue
		}
		if err != nil {
			// The workers get the last partial batches now, not at Close,
			// so that a replayed file's last packets reach the live view.
			for w := range p.workers {
				p.send(w)
			}
			p.publish()
			if errors.Is(err, io.EOF) || errors.Is(err, capture.ErrClosed) {
				return nil
			}
			return err
		}
		p.read.Packets++
		p.read.Bytes += uint64(pkt.WireLength)
		p.lastPkt = pkt.Timestamp
		if p.read.Packets&1023 == 0 {
			p.publish()
		}
		if !p.decoder.DecodeFrame(pkt.Data, pkt.WireLength, pkt.LinkType, pkt.Timestamp, &dp) {
			continue
		}
		p.read.Decoded++
		p.dispatch(&dp, pkt.WireLength, pkt.Timestamp)
	}
}

func (p *Pipeline) dispatch(dp *decode.Packet, wireLen int, ts int64) {
	if len(dp.Payload) > arenaSize {
		dp.Payload = dp.Payload[:arenaSize]
	}
	key, srcIsLo := flow.KeyOf(dp)
	w := int(key.Hash() % uint64(len(p.workers)))
	b := p.pending[w]
	if b == nil {
		b = <-p.free
		p.pending[w] = b
	}
	if !b.add(dp, &key, srcIsLo, wireLen, ts) {
		p.send(w)
		b = <-p.free
		p.pending[w] = b
		b.add(dp, &key, srcIsLo, wireLen, ts)
	}
	switch {
	case ts-p.lastTick >= int64(time.Second):
		p.behind = 0
		p.tick(ts)
	case ts < p.lastTick:
		p.behind++
		if p.behind >= resyncPackets {
			p.behind = 0
			p.tick(ts)
		}
	default:
		p.behind = 0
	}
}

// idle hands the workers what is batched while the source is quiet, so
// that the live view shows slow traffic without waiting for a full batch.
// A live capture's packet time is the wall clock, so the workers also
// expire flows by it.
func (p *Pipeline) idle() {
	for w := range p.workers {
		p.send(w)
	}
	if p.cfg.WallClock {
		p.tick(time.Now().UnixNano())
	}
	p.publish()
}

// send hands worker w its pending batch.
func (p *Pipeline) send(w int) {
	if b := p.pending[w]; b != nil {
		p.pending[w] = nil
		p.workers[w].in <- b
	}
}

// tick flushes the pending batches and lets every worker expire its flows
// at packet time ts, so that idle shards close flows too.
func (p *Pipeline) tick(ts int64) {
	p.lastTick = ts
	p.publish()
	for w := range p.workers {
		p.send(w)
		b := <-p.free
		b.tick = ts
		p.workers[w].in <- b
	}
}

// Do runs fn on every worker's goroutine, one after another in worker
// order, and waits for them. It is how the live view reads the tables.
func (p *Pipeline) Do(fn func(t *flow.Table)) {
	for _, w := range p.workers {
		done := make(chan struct{})
		b := <-p.free
		b.do = func(w *worker) { fn(w.table) }
		b.done = done
		w.in <- b
		<-done
	}
}

// Close flushes what is pending, closes every open flow (emitting it to
// the sink) and stops the workers.
func (p *Pipeline) Close() {
	for w := range p.workers {
		p.send(w)
	}
	for _, w := range p.workers {
		close(w.in)
	}
	p.wg.Wait()
}

func (p *Pipeline) publish() {
	p.lastTS.Store(p.lastPkt)
	p.published.packets.Store(p.read.Packets)
	p.published.bytes.Store(p.read.Bytes)
	if p.kernel != nil && time.Since(p.lastPoll) >= dropsPollInterval {
		p.pollDrops()
	}
	p.snapshotMu.Lock()
	p.snapshot.Read = p.read
	p.snapshot.Decode = p.decoder.Stats()
	p.snapshotMu.Unlock()
}

// pollDrops reads the kernel's drop counter of a live source. It runs on
// the reader's goroutine between two reads, so that it does not wait for
// the source's poll. A source that fails to report, as after Close, keeps
// the last count.
func (p *Pipeline) pollDrops() {
	if p.kernel == nil {
		return
	}
	p.lastPoll = time.Now()
	if st, err := p.kernel.Stats(); err == nil {
		p.read.Drops = st.Drops
		p.published.drops.Store(st.Drops)
	}
}

// lastPacketTime returns the capture time of the latest packet read.
func (p *Pipeline) lastPacketTime() int64 { return p.lastTS.Load() }

// Progress returns the reader's totals so far; it is safe to call from any
// goroutine while Run is going.
func (p *Pipeline) Progress() Counters {
	return Counters{Packets: p.published.packets.Load(), Bytes: p.published.bytes.Load(), Drops: p.published.drops.Load()}
}

// Stats returns the pipeline's counters. Call it after Run returned.
func (p *Pipeline) Stats() Stats {
	s := Stats{Read: p.read, Decode: p.decoder.Stats(), Elapsed: time.Since(p.startWall), Drops: p.read.Drops}
	p.addFlowStats(&s)
	return s
}

// Snapshot returns the pipeline's counters while Run is going, from any
// goroutine. The reader's and the decoder's counters are those of the
// last publish, at most 1024 packets or one poll timeout old.
func (p *Pipeline) Snapshot() Stats {
	p.snapshotMu.Lock()
	s := p.snapshot
	p.snapshotMu.Unlock()
	s.Elapsed = time.Since(p.startWall)
	p.addFlowStats(&s)
	return s
}

// addFlowStats adds up the flow tables' counters, which every worker
// publishes atomically.
func (p *Pipeline) addFlowStats(s *Stats) {
	for _, w := range p.workers {
		ts := w.stats()
		s.Flow.Packets += ts.Packets
		s.Flow.Bytes += ts.Bytes
		s.Flow.Created += ts.Created
		s.Flow.Closed += ts.Closed
		s.Flow.Evicted += ts.Evicted
		s.Flow.Parked += ts.Parked
		s.Flow.Frozen += ts.Frozen
		s.Flow.Thawed += ts.Thawed
		s.Flow.FreezeFailed += ts.FreezeFailed
		s.Flow.Active += ts.Active
	}
}

// Stats gathers the counters of every stage.
type Stats struct {
	Read    Counters
	Decode  decode.Stats
	Flow    flow.Stats
	Elapsed time.Duration
	// Drops counts the packets the kernel dropped from a live source's
	// ring, as Read.Drops does.
	Drops uint64
}
