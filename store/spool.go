package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/record"
)

// SpoolConfig configures a Spooled store.
type SpoolConfig struct {
	// Dir holds the segment files and the drain cursor.
	Dir string
	// MaxBytes caps the spool on disk; batches that do not fit are dropped
	// and counted. Default 1 GiB.
	MaxBytes int64
	// SegmentBytes is the size at which a new segment starts. Default 16 MiB.
	SegmentBytes int64
	// MinBackoff and MaxBackoff bound the wait between failed writes to the
	// store. Defaults 100 ms and 30 s.
	MinBackoff, MaxBackoff time.Duration
}

func (c *SpoolConfig) setDefaults() {
	if c.MaxBytes <= 0 {
		c.MaxBytes = 1 << 30
	}
	if c.SegmentBytes <= 0 {
		c.SegmentBytes = 16 << 20
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
}

// ErrSpoolFull is returned, wrapped, by Spooled.WriteFlows for a batch it
// dropped because the spool had reached MaxBytes.
var ErrSpoolFull = errors.New("store: spool full")

// Spooled wraps a Store so that a slow or stopped backend loses no flows
// until the spool reaches MaxBytes. WriteFlows appends each batch to an
// on-disk spool and syncs it. A background writer drains the spool into
// the store with backoff, and a spool left by an earlier run is drained
// on Start. Before it retries a batch after an error, the writer asks the
// store which flow ids of the batch it already has and writes only the
// others, so each flow with an id lands once. Reads and alerts go
// straight to the store.
//
// NOTE: a flow without an id cannot be looked up, so a retry after a
// commit whose answer was lost writes it twice.
type Spooled struct {
	Store
	cfg SpoolConfig
	log *slog.Logger

	mu       sync.Mutex
	segments []uint64 // oldest first; the last one is appended to
	sizes    map[uint64]int64
	active   *os.File
	wake     chan struct{}

	stop chan struct{}
	done chan struct{}

	metrics SpoolMetrics
}

// SpoolMetrics counts what a Spooled store did.
type SpoolMetrics struct {
	SpooledFlows atomic.Uint64 // flows appended to the spool
	DroppedFlows atomic.Uint64 // flows dropped because the spool was full
	WrittenFlows atomic.Uint64 // flows drained into the store
	SkippedFlows atomic.Uint64 // flows the store already had on a retry
	WriteErrors  atomic.Uint64 // failed writes to the store
	SpoolBytes   atomic.Int64  // bytes of segment files on disk
}

// NewSpooled returns a spool in front of inner; Start opens it.
func NewSpooled(inner Store, cfg SpoolConfig, log *slog.Logger) *Spooled {
	cfg.setDefaults()
	return &Spooled{Store: inner, cfg: cfg, log: log, sizes: map[uint64]int64{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// Metrics returns the spool's counters.
func (s *Spooled) Metrics() *SpoolMetrics { return &s.metrics }

// Start opens the spool, repairs a torn last record and starts the writer.
func (s *Spooled) Start() error {
	if err := os.MkdirAll(s.cfg.Dir, 0o750); err != nil {
		return errorf("create spool directory: %w", err)
	}
	ids, err := listSegments(s.cfg.Dir)
	if err != nil {
		return errorf("list spool segments: %w", err)
	}
	for _, id := range ids {
		if err := s.recoverSegment(id); err != nil {
			return err
		}
	}
	next := uint64(1)
	if len(ids) > 0 {
		next = ids[len(ids)-1] + 1
	}
	if err := s.openSegment(next); err != nil {
		return err
	}
	if len(ids) > 0 {
		s.log.Info("replaying spool", "segments", len(ids), "bytes", s.metrics.SpoolBytes.Load())
	}
	go s.drain()
	return nil
}

// recoverSegment truncates a segment to its whole records.
func (s *Spooled) recoverSegment(id uint64) error {
	path := segmentPath(s.cfg.Dir, id)
	n, err := validLength(path)
	if err != nil {
		return errorf("read spool segment %q: %w", path, err)
	}
	if err := os.Truncate(path, n); err != nil {
		return errorf("repair spool segment %q: %w", path, err)
	}
	s.segments = append(s.segments, id)
	s.sizes[id] = n
	s.metrics.SpoolBytes.Add(n)
	return nil
}

func (s *Spooled) openSegment(id uint64) error {
	f, err := os.OpenFile(segmentPath(s.cfg.Dir, id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return errorf("create spool segment: %w", err)
	}
	if s.active != nil {
		s.active.Close()
	}
	s.active = f
	s.segments = append(s.segments, id)
	s.sizes[id] = 0
	return nil
}

// WriteFlows appends the batch to the spool and syncs it to disk. It
// returns an error wrapping ErrSpoolFull when the batch was dropped.
func (s *Spooled) WriteFlows(_ context.Context, flows []*record.Flow) error {
	if len(flows) == 0 {
		return nil
	}
	rec, err := encodeRecord(flows)
	if err != nil {
		return errorf("encode spool record: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.metrics.SpoolBytes.Load()+int64(len(rec)) > s.cfg.MaxBytes {
		s.metrics.DroppedFlows.Add(uint64(len(flows)))
		return fmt.Errorf("%w: dropped %d flows, spool holds %d bytes of at most %d", ErrSpoolFull, len(flows), s.metrics.SpoolBytes.Load(), s.cfg.MaxBytes)
	}
	if err := s.appendRecord(rec); err != nil {
		return err
	}
	s.metrics.SpooledFlows.Add(uint64(len(flows)))
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

func (s *Spooled) appendRecord(rec []byte) error {
	id := s.segments[len(s.segments)-1]
	if s.sizes[id] > 0 && s.sizes[id]+int64(len(rec)) > s.cfg.SegmentBytes {
		if err := s.openSegment(id + 1); err != nil {
			return err
		}
		id++
	}
	if _, err := s.active.Write(rec); err != nil {
		return errorf("append to spool: %w", err)
	}
	if err := s.active.Sync(); err != nil {
		return errorf("sync spool: %w", err)
	}
	s.sizes[id] += int64(len(rec))
	s.metrics.SpoolBytes.Add(int64(len(rec)))
	return nil
}

// Stop stops the writer and closes the spool. What is not yet drained
// stays on disk for the next Start. It does not close the wrapped store.
func (s *Spooled) Stop() {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active != nil {
		s.active.Close()
		s.active = nil
	}
}

// Flush waits until every spooled flow is in the store or ctx ends.
func (s *Spooled) Flush(ctx context.Context) error {
	for {
		if s.pending() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// pending returns the spooled bytes not yet drained.
func (s *Spooled) pending() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := readCursor(s.cfg.Dir)
	if err != nil {
		return -1
	}
	var n int64
	for _, id := range s.segments {
		switch {
		case id == c.Segment:
			n += s.sizes[id] - c.Offset
		case id > c.Segment:
			n += s.sizes[id]
		}
	}
	return n
}
