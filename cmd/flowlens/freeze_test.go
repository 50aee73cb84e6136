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

// analyzeJSONL runs a capture as analyze does with JSON Lines output and
// freezeIdle, and returns the output and the pipeline's counters.
func analyzeJSONL(t *testing.T, path string, freezeIdle time.Duration) ([]byte, pipeline.Stats) {
	t.Helper()
	collected, err := newCollector(true)
	if err != nil {
		t.Fatal(err)
	}
	defer collected.close()
	return collectJSONL(t, collected, path, freezeIdle)
}

// collectJSONL runs a capture through collected as analyzeJSONL does.
func collectJSONL(t *testing.T, collected *collector, path string, freezeIdle time.Duration) ([]byte, pipeline.Stats) {
	t.Helper()
	cfg := capturePipelineConfig()
	cfg.Flow.FreezeIdle = freezeIdle
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
// and read back.
func TestFreezeKeepsOutput(t *testing.T) {
	pcaps, err := filepath.Glob(filepath.Join(corpusDir(t), "ndpi", "pcap", "*"))
	if err != nil {
		t.Fatal(err)
	}
	pcaps = append(pcaps, "../../testdata/iphone.pcap")
	var frozen, thawed uint64
	for _, pcap := range pcaps {
		want, _ := analyzeJSONL(t, pcap, 0)
		got, stats := analyzeJSONL(t, pcap, time.Nanosecond)
		frozen += stats.Flow.Frozen
		thawed += stats.Flow.Thawed
		if stats.Flow.FreezeFailed != 0 {
			t.Errorf("%s: %d flows could not be frozen or read back", filepath.Base(pcap), stats.Flow.FreezeFailed)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s: output with frozen flows differs (-kept +frozen):\n%s", filepath.Base(pcap), diff)
		}
	}
	t.Logf("%d captures: flows frozen %d times, read back %d times", len(pcaps), frozen, thawed)
	if frozen < 1000 || thawed < 100 {
		t.Errorf("flows frozen %d times and read back %d times; the captures should freeze at least 1000 and read back 100", frozen, thawed)
	}
}

// TestFreezeWithoutTemporaryDirectory points TMPDIR at a missing folder
// once the collector's own file is open: the tables cannot open their
// file, keep every flow in memory, count the failure and print the same
// flows.
func TestFreezeWithoutTemporaryDirectory(t *testing.T) {
	want, _ := analyzeJSONL(t, "../../testdata/iphone.pcap", 0)
	collected, err := newCollector(true)
	if err != nil {
		t.Fatal(err)
	}
	defer collected.close()
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	got, stats := collectJSONL(t, collected, "../../testdata/iphone.pcap", time.Nanosecond)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output without a temporary directory differs (-want +got):\n%s", diff)
	}
	if stats.Flow.Frozen != 0 || stats.Flow.FreezeFailed == 0 {
		t.Errorf("frozen %d, failed %d; want 0 frozen and the failure counted", stats.Flow.Frozen, stats.Flow.FreezeFailed)
	}
}
