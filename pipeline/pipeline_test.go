package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/record"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// replay runs a capture through a pipeline with the given number of
// workers and returns its records sorted by first packet and ID.
func replay(t testing.TB, path string, workers int) ([]*record.Flow, Stats) {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg := DefaultConfig()
	cfg.Workers = workers
	cfg.Flow.IdleTimeoutUDP, cfg.Flow.IdleTimeoutTCP, cfg.Flow.CloseLinger = 0, 0, 0
	var mu sync.Mutex
	var records []*record.Flow
	p := New(cfg, func(_ int, f *flow.Flow) {
		r := f.Record()
		mu.Lock()
		records = append(records, r)
		mu.Unlock()
	})
	p.Start()
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	p.Close()
	sort.Slice(records, func(i, j int) bool {
		a, b := records[i], records[j]
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		return a.ClientIP+a.ServerIP < b.ClientIP+b.ServerIP
	})
	return records, p.Stats()
}

// stripIDs clears the flow IDs, which depend on the number of workers.
func stripIDs(records []*record.Flow) {
	for _, r := range records {
		r.ID = ""
	}
}

func encodeRecords(t testing.TB, records []*record.Flow) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestPipelineGolden replays the bundled capture and compares every record
// with the golden JSON Lines file.
func TestPipelineGolden(t *testing.T) {
	records, stats := replay(t, "../testdata/iphone.pcap", 2)
	stripIDs(records)
	got := encodeRecords(t, records)
	golden := filepath.Join("testdata", "iphone.golden.jsonl")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("records differ from %s (-want +got):\n%s", golden, diff)
	}
	wantStats := Counters{Packets: 500, Bytes: 221902, Decoded: 486}
	if diff := cmp.Diff(wantStats, stats.Read); diff != "" {
		t.Errorf("reader counters (-want +got):\n%s", diff)
	}
	if stats.Flow.Packets != stats.Read.Decoded {
		t.Errorf("flow packets = %d, want every decoded packet (%d)", stats.Flow.Packets, stats.Read.Decoded)
	}
}

// TestPipelineWorkersAgree checks that the records do not depend on the
// number of workers.
func TestPipelineWorkersAgree(t *testing.T) {
	one, _ := replay(t, "../testdata/iphone.pcap", 1)
	four, _ := replay(t, "../testdata/iphone.pcap", 4)
	stripIDs(one)
	stripIDs(four)
	if diff := cmp.Diff(string(encodeRecords(t, one)), string(encodeRecords(t, four))); diff != "" {
		t.Errorf("1 worker vs 4 workers (-one +four):\n%s", diff)
	}
}

// BenchmarkPipeline measures the whole pipeline, DPI included, over the
// bundled capture; b.N counts replays of the file.
func BenchmarkPipeline(b *testing.B) {
	b.ReportAllocs()
	var packets uint64
	for b.Loop() {
		_, stats := replay(b, "../testdata/iphone.pcap", 0)
		packets += stats.Read.Packets
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}

// TestLiveAfterRunHasEveryPacket checks that the live view of a pipeline
// whose source has ended counts every packet, while the flows are open.
func TestLiveAfterRunHasEveryPacket(t *testing.T) {
	src, err := capture.OpenFile("../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg := DefaultConfig()
	cfg.Workers = 2
	cfg.Flow.IdleTimeoutUDP, cfg.Flow.IdleTimeoutTCP, cfg.Flow.CloseLinger = 0, 0, 0
	var closed uint64
	p := New(cfg, func(_ int, f *flow.Flow) {
		r := f.Record()
		closed += r.C2SPackets + r.S2CPackets
	})
	live := p.NewLive(time.Second, nil)
	p.Start()
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	live.Refresh()
	var open uint64
	for _, f := range live.Flows() {
		open += f.Record.C2SPackets + f.Record.S2CPackets
	}
	p.Close()
	if open == 0 || open != closed {
		t.Errorf("live view after Run counts %d packets, the closed flows %d", open, closed)
	}
}

// TestLiveRatesFallWhenQuiet checks that the live view measures rates on
// packet time, and that once the capture has ended they fall to zero as
// wall time passes instead of keeping their last values.
func TestLiveRatesFallWhenQuiet(t *testing.T) {
	src, err := capture.OpenFile("../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := New(DefaultConfig(), func(int, *flow.Flow) {})
	defer p.Close()
	live := p.NewLive(time.Second, nil)
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	live.wall = func() time.Time { return wall }
	p.Start()
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}

	// As if the last refresh had come 10 s of packet time before the end,
	// with nothing read yet: the wall clock has not moved since.
	live.lastNow = p.lastPacketTime() - int64(10*time.Second)
	live.Refresh()
	read := p.Progress()
	if got, want := live.Rates().BytesPerSecond, float64(read.Bytes)/10; got != want {
		t.Errorf("bytes per second over the last 10 s of packet time = %g, want %g", got, want)
	}
	// Every flow that began half a refresh period or more before the
	// refresh has a rate at once.
	busy := 0
	for _, f := range live.Flows() {
		old := p.lastPacketTime()-f.Record.FirstSeen.UnixNano() >= int64(500*time.Millisecond)
		if f.Throughput > 0 {
			busy++
		} else if old {
			t.Errorf("flow %s, %v old, has no throughput at the first refresh", f.Record.ID, time.Duration(p.lastPacketTime()-f.Record.FirstSeen.UnixNano()))
		}
	}
	if busy == 0 {
		t.Fatal("no flow has a throughput after the capture")
	}

	// A flow younger than half a period at the first refresh gets its
	// first sample at the second, so its rate is zero from the third.
	for range 2 {
		wall = wall.Add(1500 * time.Millisecond)
		live.Refresh()
	}
	if r := live.Rates(); r.PacketsPerSecond != 0 || r.BytesPerSecond != 0 {
		t.Errorf("rates 3 s after the last packet = %+v, want zero", r)
	}
	for _, f := range live.Flows() {
		if f.Throughput != 0 {
			t.Errorf("flow %s: throughput %g bit/s 3 s after the last packet, want 0", f.Record.ID, f.Throughput)
		}
	}
}

// jumpSource replays the packets of a capture over and over, each a
// millisecond after the one before, and gives the packet numbered jump a
// timestamp 20 years ahead.
type jumpSource struct {
	packets []capture.Packet
	base    int64
	n, jump int
	total   int
}

func (s *jumpSource) ReadPacket(p *capture.Packet) error {
	if s.n == s.total {
		return io.EOF
	}
	*p = s.packets[s.n%len(s.packets)]
	p.Timestamp = s.base + int64(s.n)*int64(time.Millisecond)
	if s.n == s.jump {
		p.Timestamp += int64(20 * 365 * 24 * time.Hour)
	}
	s.n++
	return nil
}

func (s *jumpSource) Close() error { return nil }

// TestTicksResumeAfterClockJump checks that one packet far ahead stops the
// ticks, and so the flows' expiry, for no more than resyncPackets packets.
func TestTicksResumeAfterClockJump(t *testing.T) {
	src, err := capture.OpenFile("../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	var packets []capture.Packet
	for {
		var p capture.Packet
		if err := src.ReadPacket(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		p.Data = slices.Clone(p.Data)
		packets = append(packets, p)
	}
	src.Close()

	jump := &jumpSource{packets: packets, base: packets[0].Timestamp, jump: 100, total: 100 + 3*resyncPackets}
	p := New(DefaultConfig(), func(int, *flow.Flow) {})
	defer p.Close()
	p.Start()
	if err := p.Run(context.Background(), jump); err != nil {
		t.Fatal(err)
	}
	last := jump.base + int64(jump.total-1)*int64(time.Millisecond)
	if behind := time.Duration(last - p.lastTick); behind < 0 || behind > time.Second {
		t.Errorf("last tick %v before the last packet, want at most 1s: the ticks did not resume after the jump", behind)
	}
}
