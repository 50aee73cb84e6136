package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/flowlens/flowlens/store"
)

// importCapture runs a capture file through the pipeline, with analyze's
// defaults, and stores its flow records in batches. The flows get a fresh
// run ID, so that importing the same file twice keeps both copies apart.
// As in analyze, a capture that ends inside a packet record is a warning:
// the flows before the cut are stored.
func importCapture(ctx context.Context, s store.Store, path string, logger *slog.Logger) (int, error) {
	opts, err := parseAnalyzeFlags([]string{"-r", path})
	if err != nil {
		return 0, err
	}
	opts.pipeline.Flow.RunID = newRunID()
	judge, err := newRiskEvaluator("", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, err
	}
	records, _, runErr := analyzeCapture(ctx, path, "", opts.pipeline, judge)
	if records == nil {
		return 0, runErr
	}
	for start := 0; start < len(records); start += importBatch {
		end := min(start+importBatch, len(records))
		if err := s.WriteFlows(ctx, records[start:end]); err != nil {
			return start, fmt.Errorf("import %q: %w", path, err)
		}
	}
	if err := readOutcome(runErr, logger); err != nil {
		return len(records), fmt.Errorf("import %q: %d flows read before the damage were stored: %w", path, len(records), err)
	}
	return len(records), nil
}

// importCaptureStream imports a capture that can be read only once, from
// standard input or a pipe: the capture reader opens its file by name, so
// r is first copied to a temporary file, removed when the import ends.
func importCaptureStream(ctx context.Context, s store.Store, name string, r io.Reader, logger *slog.Logger) (int, error) {
	tmp, err := os.CreateTemp("", "flowlens-import-*.pcap")
	if err != nil {
		return 0, fmt.Errorf("import %q: create temporary file in %s (set TMPDIR to another directory): %w", name, os.TempDir(), err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("import %q: copy to temporary file %s: %w", name, tmp.Name(), err)
	}
	return importCapture(ctx, s, tmp.Name(), logger)
}
