package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/risk"
)

// analyzeOptions are the flags of the analyze command.
type analyzeOptions struct {
	file     string
	format   string
	filter   string
	rules    string
	risk     string
	pipeline pipeline.Config
	profile  profiler
}

func parseAnalyzeFlags(args []string) (*analyzeOptions, error) {
	o := &analyzeOptions{pipeline: pipeline.DefaultConfig()}
	// A report of a capture keeps one flow per key from its first packet to
	// its last, as nDPI's reader does; timeouts split flows only on request.
	o.pipeline.Flow.IdleTimeoutUDP, o.pipeline.Flow.IdleTimeoutTCP, o.pipeline.Flow.CloseLinger = 0, 0, 0
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: flowlens analyze -r FILE [flags]\n\nReads a capture (pcap or pcapng, optionally gzip-compressed) and prints one\nflow record per line when the capture ends. Each flow lasts from its first\npacket to its last unless timeouts are given. Until the capture ends, the\nJSON lines wait in a temporary file in $TMPDIR (/tmp when unset on Unix),\nabout 600 bytes per flow.\n\nFlags:")
		printVisibleDefaults(fs, "cpuprofile", "memprofile")
	}
	fs.StringVar(&o.file, "r", "", "capture `file` to read, - for standard input (required)")
	fs.StringVar(&o.format, "format", "jsonl", "output format: "+flowFormats)
	fs.StringVar(&o.filter, "f", "", "BPF filter `expression` in tcpdump syntax, e.g. \"tcp port 443\"")
	fs.StringVar(&o.rules, "rules", "", "`dir`ectory of nDPI rule files (protos.txt, categories.txt, risky_domains.txt, ja3_fingerprints.csv, sha1_fingerprints.csv, lists/)")
	fs.StringVar(&o.risk, "risk-config", "", "JSON `file` that turns risk rules off or changes their thresholds and blocklists")
	addPipelineFlags(fs, &o.pipeline)
	// For profiling the pipeline; -h does not list them.
	fs.StringVar(&o.profile.cpuPath, "cpuprofile", "", "write a CPU profile of the run to `file`")
	fs.StringVar(&o.profile.memPath, "memprofile", "", "write a heap profile taken at the end of the capture to `file`")
	if err := fs.Parse(args); err != nil {
		return nil, helpOrUsage(err)
	}
	if o.file == "" || fs.NArg() > 0 {
		fs.Usage()
		fmt.Fprintln(os.Stderr, "\nflowlens analyze: give one capture with -r FILE, and no other arguments")
		return nil, errUsage
	}
	if err := checkPipelineFlags(&o.pipeline); err != nil {
		fmt.Fprintln(os.Stderr, "flowlens analyze:", err)
		return nil, errUsage
	}
	if err := checkFormat(o.format); err != nil {
		fmt.Fprintln(os.Stderr, "flowlens analyze:", err)
		return nil, errUsage
	}
	return o, nil
}

func runAnalyze(args []string, logger *slog.Logger) error {
	o, err := parseAnalyzeFlags(args)
	if err != nil {
		return err
	}
	judge, err := loadJudgement(o.rules, o.risk, &o.pipeline, logger)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal ends the read and prints the flows so far. A read
	// blocked on a pipe checks for it only when data comes, so a second
	// signal gets the default action and ends the process.
	context.AfterFunc(ctx, stop)

	if err := o.profile.start(); err != nil {
		return err
	}
	defer o.profile.stopCPU()
	// JSON Lines are encoded by the workers as flows close, so the records
	// themselves need not be kept; the table and CSV formats need them.
	collected, err := newCollector(o.format == "jsonl")
	if err != nil {
		return err
	}
	defer collected.close()
	flows, stats, runErr := collectCapture(ctx, o.file, o.filter, o.pipeline, judge, collected)
	if flows == nil && runErr != nil {
		return runErr
	}
	if err := o.profile.writeHeap(); err != nil {
		return err
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	written, err := collected.writeEntries(out, o.format, flows)
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := o.profile.stopCPU(); err != nil {
		return err
	}
	printSummary(os.Stderr, stats, written)
	if n := stats.Decode.Count(decode.ReasonUnsupportedLinkType); n > 0 {
		logger.Warn("packets of a link type flowlens does not decode were skipped; it reads Ethernet, Linux cooked v1 and v2, raw IP and BSD loopback", "packets", n, "pcap", o.file)
	}
	return readOutcome(runErr, logger)
}

// analyzeCapture runs a capture file through the pipeline and returns its
// flow records, judged for risks and sorted, with the pipeline's counters.
// When reading fails part-way it returns the flows read before the damage
// together with the error; records is nil only when the file could not be
// opened.
func analyzeCapture(ctx context.Context, path, filter string, cfg pipeline.Config, judge *risk.Evaluator) ([]*record.Flow, pipeline.Stats, error) {
	collected, err := newCollector(false)
	if err != nil {
		return nil, pipeline.Stats{}, err
	}
	flows, stats, err := collectCapture(ctx, path, filter, cfg, judge, collected)
	if flows == nil {
		return nil, stats, err
	}
	records := make([]*record.Flow, len(flows))
	for i := range flows {
		records[i] = flows[i].record
	}
	return records, stats, err
}

// collectCapture runs a capture file through the pipeline into collected
// and returns its flows, judged for risks and sorted. It returns nil flows
// only when the file could not be opened.
func collectCapture(ctx context.Context, path, filter string, cfg pipeline.Config, judge *risk.Evaluator, collected *collector) ([]flowEntry, pipeline.Stats, error) {
	src, err := openFileSource(path, filter)
	if err != nil {
		return nil, pipeline.Stats{}, err
	}
	defer src.Close()
	sink := collected.sink(judge)
	if collected.encode {
		// Records of frozen flows are written as they freeze; the table
		// format keeps every record in memory anyway.
		cfg.Freeze = sink
	}
	p := pipeline.New(cfg, sink)
	p.Start()
	progress := startProgress(p, path)
	runErr := p.Run(ctx, src)
	p.Close()
	progress.stop()
	flows := collected.sorted()
	return flows, p.Stats(), runErr
}

// readOutcome turns the reader's error into the command's result: a
// truncated last record is a warning, other damage is fatal.
func readOutcome(err error, logger *slog.Logger) error {
	if err == nil {
		return nil
	}
	var fe *capture.FormatError
	if errors.As(err, &fe) && fe.Truncated {
		logger.Warn("capture ends inside a packet record; the packets before it were read", "pcap", fe.Path, "offset", fe.Offset, "err", err)
		return nil
	}
	return err
}

// openFileSource opens a capture file, "-" meaning standard input, with an
// optional BPF filter.
func openFileSource(path, filter string) (capture.Source, error) {
	if path == "-" {
		path = "/dev/stdin"
	}
	src, err := capture.OpenFile(path)
	if err != nil {
		return nil, err
	}
	if filter == "" {
		return src, nil
	}
	filtered, err := capture.WithFilter(src, filter)
	if err != nil {
		src.Close()
		return nil, err
	}
	return filtered, nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
