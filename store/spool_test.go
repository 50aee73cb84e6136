package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowlens/flowlens/record"
)

// faultyStore wraps a real store: it rejects writes while down is set,
// and with commitThenFail it stores the next batch and then reports an
// error, as a server does when the connection drops after a commit.
type faultyStore struct {
	Store
	down           atomic.Bool
	commitThenFail atomic.Bool
}

func (f *faultyStore) WriteFlows(ctx context.Context, flows []*record.Flow) error {
	if f.down.Load() {
		return errors.New("store down")
	}
	if f.commitThenFail.CompareAndSwap(true, false) {
		if err := f.Store.WriteFlows(ctx, flows); err != nil {
			return err
		}
		return errors.New("connection reset after commit")
	}
	return f.Store.WriteFlows(ctx, flows)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testSpoolConfig(dir string) SpoolConfig {
	return SpoolConfig{Dir: dir, SegmentBytes: 64 << 10, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}
}

func openTestDuckDB(t *testing.T) *DuckDB {
	t.Helper()
	d, err := OpenDuckDB(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// checkExactlyOnce checks that the store holds each flow once.
func checkExactlyOnce(t *testing.T, s Store, flows []*record.Flow) {
	t.Helper()
	got, err := s.QueryFlows(context.Background(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, fl := range got {
		count[fl.ID]++
	}
	for _, fl := range flows {
		if count[fl.ID] != 1 {
			t.Errorf("flow %s is in the store %d times, want once", fl.ID, count[fl.ID])
		}
	}
	if len(got) != len(flows) {
		t.Errorf("store holds %d flows, want %d", len(got), len(flows))
	}
}

func writeBatches(t *testing.T, s Store, flows []*record.Flow, size int) {
	t.Helper()
	for i := 0; i < len(flows); i += size {
		if err := s.WriteFlows(context.Background(), flows[i:min(i+size, len(flows))]); err != nil {
			t.Fatalf("WriteFlows: %v", err)
		}
	}
}

func flushSpool(t *testing.T, sp *Spooled) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sp.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func TestSpoolReplayAfterRestart(t *testing.T) {
	dir := t.TempDir()
	db := openTestDuckDB(t)
	flows := loadTestFlows(t)
	down := &faultyStore{Store: db}
	down.down.Store(true)
	sp := NewSpooled(down, testSpoolConfig(dir), quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	writeBatches(t, sp, flows, 37)
	sp.Stop()
	if n, _ := db.Count(context.Background(), Scope{}); n != 0 {
		t.Fatalf("store holds %d flows while down", n)
	}

	sp = NewSpooled(db, testSpoolConfig(dir), quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	defer sp.Stop()
	flushSpool(t, sp)
	checkExactlyOnce(t, db, flows)
	segments, _ := listSegments(dir)
	if len(segments) != 1 {
		t.Errorf("%d segments left after draining, want only the active one", len(segments))
	}
}

func TestSpoolRetryAfterCommit(t *testing.T) {
	db := openTestDuckDB(t)
	flaky := &faultyStore{Store: db}
	sp := NewSpooled(flaky, testSpoolConfig(t.TempDir()), quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	defer sp.Stop()
	flows := loadTestFlows(t)
	writeBatches(t, sp, flows[:100], 50)
	flushSpool(t, sp)
	flaky.commitThenFail.Store(true)
	writeBatches(t, sp, flows[100:], 50)
	flushSpool(t, sp)
	checkExactlyOnce(t, db, flows)
	if sp.Metrics().SkippedFlows.Load() == 0 {
		t.Error("no flow was recognised as already stored after the failed commit")
	}
}

func TestSpoolFull(t *testing.T) {
	db := &faultyStore{Store: openTestDuckDB(t)}
	db.down.Store(true)
	cfg := testSpoolConfig(t.TempDir())
	cfg.MaxBytes = 20 << 10
	sp := NewSpooled(db, cfg, quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	defer sp.Stop()
	flows := loadTestFlows(t)
	var dropped int
	for i := 0; i < 200; i += 10 {
		err := sp.WriteFlows(context.Background(), flows[i:i+10])
		if errors.Is(err, ErrSpoolFull) {
			dropped += 10
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if dropped == 0 || sp.Metrics().DroppedFlows.Load() != uint64(dropped) {
		t.Errorf("dropped %d flows, metric says %d", dropped, sp.Metrics().DroppedFlows.Load())
	}
	if b := sp.Metrics().SpoolBytes.Load(); b > cfg.MaxBytes {
		t.Errorf("spool holds %d bytes, cap %d", b, cfg.MaxBytes)
	}
}

func TestSpoolTornRecord(t *testing.T) {
	dir := t.TempDir()
	db := openTestDuckDB(t)
	flows := loadTestFlows(t)[:30]
	down := &faultyStore{Store: db}
	down.down.Store(true)
	sp := NewSpooled(down, testSpoolConfig(dir), quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	writeBatches(t, sp, flows, 10)
	sp.Stop()
	// A crash in the middle of an append leaves half a record.
	seg := segmentPath(dir, 1)
	f, err := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := encodeRecord(loadTestFlows(t)[30:40])
	f.Write(rec[:len(rec)/2])
	f.Close()

	sp = NewSpooled(db, testSpoolConfig(dir), quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	defer sp.Stop()
	flushSpool(t, sp)
	checkExactlyOnce(t, db, flows)
	if _, err := os.Stat(filepath.Join(dir, "cursor.json")); err != nil {
		t.Errorf("no cursor file: %v", err)
	}
}

func TestSpoolSegmentsRoll(t *testing.T) {
	dir := t.TempDir()
	cfg := testSpoolConfig(dir)
	cfg.SegmentBytes = 8 << 10
	down := &faultyStore{Store: openTestDuckDB(t)}
	down.down.Store(true)
	sp := NewSpooled(down, cfg, quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	writeBatches(t, sp, loadTestFlows(t)[:100], 10)
	segments, _ := listSegments(dir)
	if len(segments) < 3 {
		t.Errorf("%d segments for about 60 KiB with 8 KiB segments", len(segments))
	}
	down.down.Store(false)
	flushSpool(t, sp)
	sp.Stop()
	segments, _ = listSegments(dir)
	if len(segments) != 1 {
		t.Errorf("segments left after draining: %v", segments)
	}
}
