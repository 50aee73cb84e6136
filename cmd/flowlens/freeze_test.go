package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/risk"
)

// analyzeJSONL runs a capture as analyze does with JSON Lines output,
// freezeIdle and maxFlows (0 for the default), and returns the output and
// the pipeline's counters.
func analyzeJSONL(t *testing.T, path string, freezeIdle time.Duration, maxFlows int) ([]byte, pipeline.Stats) {
	t.Helper()
	collected, err := newCollector(true)
	if err != nil {
		t.Fatal(err)
	}
	defer collected.close()
	return collectJSONL(t, collected, path, freezeIdle, maxFlows)
}

// collectJSONL runs a capture through collected as analyzeJSONL does.
func collectJSONL(t *testing.T, collected *collector, path string, freezeIdle time.Duration, maxFlows int) ([]byte, pipeline.Stats) {
	t.Helper()
	cfg := capturePipelineConfig()
	cfg.Flow.FreezeIdle = freezeIdle
	if maxFlows > 0 {
		cfg.Flow.MaxFlows = maxFlows
	}
	flows, stats, err := collectCapture(context.Background(), path, "", cfg, quietJudge(t), collected)
	if flows == nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out bytes.Buffer
	if _, err := collected.writeEntries(&out, "jsonl", flows); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), stats
}

// capturePipelineConfig is analyze's pipeline configuration with two
// workers.
func capturePipelineConfig() pipeline.Config {
	cfg := pipeline.DefaultConfig()
	cfg.Workers = 2
	cfg.Flow.IdleTimeoutUDP, cfg.Flow.IdleTimeoutTCP, cfg.Flow.CloseLinger = 0, 0, 0
	return cfg
}

// quietJudge returns a risk evaluator without rules that logs nothing.
func quietJudge(t *testing.T) *risk.Evaluator {
	t.Helper()
	judge, err := newRiskEvaluator("", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return judge
}

// TestFreezeKeepsOutput runs every reference capture with flows frozen at
// each expiry, one second of packet time apart, and with freezing off: the
// outputs must be the same byte for byte, although many flows were frozen
// and read back. A second pass bounds each worker's table to 8 flows, where
// frozen flows must be evicted as they would have been in memory.
func TestFreezeKeepsOutput(t *testing.T) {
	pcaps, err := filepath.Glob(filepath.Join(corpusDir(t), "ndpi", "pcap", "*"))
	if err != nil {
		t.Fatal(err)
	}
	pcaps = append(pcaps, "../../testdata/iphone.pcap")
	for _, maxFlows := range []int{0, 8} {
		var frozen, thawed, evicted uint64
		for _, pcap := range pcaps {
			want, kept := analyzeJSONL(t, pcap, 0, maxFlows)
			got, stats := analyzeJSONL(t, pcap, time.Nanosecond, maxFlows)
			frozen += stats.Flow.Frozen
			thawed += stats.Flow.Thawed
			evicted += stats.Flow.Evicted
			if stats.Flow.FreezeFailed != 0 {
				t.Errorf("%s: %d flows could not be frozen or read back", filepath.Base(pcap), stats.Flow.FreezeFailed)
			}
			if stats.Flow.Evicted != kept.Flow.Evicted {
				t.Errorf("%s, max flows %d: %d flows evicted with freezing, %d without", filepath.Base(pcap), maxFlows, stats.Flow.Evicted, kept.Flow.Evicted)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s, max flows %d: output with frozen flows differs (-kept +frozen):\n%s", filepath.Base(pcap), maxFlows, diff)
			}
		}
		t.Logf("max flows %d: flows frozen %d times, read back %d times, %d evicted", maxFlows, frozen, thawed, evicted)
		if frozen < 1000 || thawed < 100 {
			t.Errorf("max flows %d: flows frozen %d times and read back %d times; the captures should freeze at least 1000 and read back 100", maxFlows, frozen, thawed)
		}
		if maxFlows > 0 && evicted < 1000 {
			t.Errorf("max flows %d: %d flows evicted, want at least 1000", maxFlows, evicted)
		}
	}
}

// TestFreezeWithoutTemporaryDirectory points TMPDIR at a missing folder
// once the collector's own file is open: the tables cannot open their
// file, keep every flow in memory, count the failure and print the same
// flows.
func TestFreezeWithoutTemporaryDirectory(t *testing.T) {
	want, _ := analyzeJSONL(t, "../../testdata/iphone.pcap", 0, 0)
	collected, err := newCollector(true)
	if err != nil {
		t.Fatal(err)
	}
	defer collected.close()
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	got, stats := collectJSONL(t, collected, "../../testdata/iphone.pcap", time.Nanosecond, 0)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output without a temporary directory differs (-want +got):\n%s", diff)
	}
	if stats.Flow.Frozen != 0 || stats.Flow.FreezeFailed == 0 {
		t.Errorf("frozen %d, failed %d; want 0 frozen and the failure counted", stats.Flow.Frozen, stats.Flow.FreezeFailed)
	}
}
