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
	"sort"
	"sync"
	"syscall"

	"golang.org/x/term"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/flow"
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
		fmt.Fprintln(fs.Output(), "Usage: flowlens analyze -r FILE [flags]\n\nReads a capture (pcap or pcapng, optionally gzip-compressed) and prints one\nflow record per line when the capture ends. Each flow lasts from its first\npacket to its last unless timeouts are given.\n\nFlags:")
		printVisibleDefaults(fs, "cpuprofile", "memprofile")
	}
	fs.StringVar(&o.file, "r", "", "capture `file` to read (required)")
	fs.StringVar(&o.format, "format", "jsonl", "output format: jsonl or table")
	fs.StringVar(&o.filter, "f", "", "BPF filter `expression` in tcpdump syntax, e.g. \"tcp port 443\"")
	fs.StringVar(&o.rules, "rules", "", "`dir`ectory of nDPI rule files (protos.txt, categories.txt, risky_domains.txt, ja3_fingerprints.csv, sha1_fingerprints.csv, lists/)")
	fs.StringVar(&o.risk, "risk-config", "", "JSON `file` that turns risk rules off or changes their thresholds and blocklists")
	addPipelineFlags(fs, &o.pipeline)
	// For profiling the pipeline; -h does not list them.
	fs.StringVar(&o.profile.cpuPath, "cpuprofile", "", "write a CPU profile of the run to `file`")
	fs.StringVar(&o.profile.memPath, "memprofile", "", "write a heap profile taken at the end of the capture to `file`")
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	if o.file == "" || fs.NArg() > 0 {
		fs.Usage()
		return nil, errUsage
	}
	if o.format != "jsonl" && o.format != "table" {
		fmt.Fprintf(os.Stderr, "flowlens analyze: invalid --format %q: use jsonl or table\n", o.format)
		return nil, errUsage
	}
	return o, nil
}

func runAnalyze(args []string, logger *slog.Logger) error {
	o, err := parseAnalyzeFlags(args)
	if err != nil {
		return err
	}
	if o.rules != "" {
		if o.pipeline.DPI.Rules, err = dpi.LoadRules(o.rules, logger); err != nil {
			return err
		}
	}
	judge, err := newRiskEvaluator(o.risk, o.pipeline.DPI.Rules, logger)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := o.profile.start(); err != nil {
		return err
	}
	defer o.profile.stopCPU()
	records, stats, runErr := analyzeCapture(ctx, o.file, o.filter, o.pipeline, judge)
	if records == nil && runErr != nil {
		return runErr
	}
	if err := o.profile.writeHeap(); err != nil {
		return err
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	if err := writeRecords(out, o.format, records); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := o.profile.stopCPU(); err != nil {
		return err
	}
	printSummary(os.Stderr, stats, len(records))
	return readOutcome(runErr, logger)
}

// analyzeCapture runs a capture file through the pipeline and returns its
// flow records, judged for risks and sorted, with the pipeline's counters.
// When reading fails part-way it returns the flows read before the damage
// together with the error; records is nil only when the file could not be
// opened.
func analyzeCapture(ctx context.Context, path, filter string, cfg pipeline.Config, judge *risk.Evaluator) ([]*record.Flow, pipeline.Stats, error) {
	src, err := openFileSource(path, filter)
	if err != nil {
		return nil, pipeline.Stats{}, err
	}
	defer src.Close()
	var collected collector
	p := pipeline.New(cfg, collected.sink(judge))
	p.Start()
	progress := startProgress(p, path)
	runErr := p.Run(ctx, src)
	p.Close()
	progress.stop()
	records := collected.sorted()
	if records == nil {
		records = []*record.Flow{}
	}
	return records, p.Stats(), runErr
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

func openFileSource(path, filter string) (capture.Source, error) {
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

// collector keeps the records of closed flows, one slice per worker so
// that workers never contend.
type collector struct {
	mu      sync.Mutex
	workers [][]*record.Flow
}

func (c *collector) sink(judge *risk.Evaluator) pipeline.Sink {
	return func(worker int, f *flow.Flow) {
		r := f.Record()
		judge.Evaluate(r, r.LastSeen)
		c.mu.Lock()
		defer c.mu.Unlock()
		for len(c.workers) <= worker {
			c.workers = append(c.workers, nil)
		}
		c.workers[worker] = append(c.workers[worker], r)
	}
}

// sorted returns every record ordered by first packet time, then by key,
// so that the output does not depend on the number of workers.
func (c *collector) sorted() []*record.Flow {
	var all []*record.Flow
	for _, w := range c.workers {
		all = append(all, w...)
	}
	sort.Slice(all, func(i, j int) bool { return recordLess(all[i], all[j]) })
	return all
}

func recordLess(a, b *record.Flow) bool {
	if !a.FirstSeen.Equal(b.FirstSeen) {
		return a.FirstSeen.Before(b.FirstSeen)
	}
	if a.ClientIP != b.ClientIP {
		return a.ClientIP < b.ClientIP
	}
	if a.ClientPort != b.ClientPort {
		return a.ClientPort < b.ClientPort
	}
	if a.ServerIP != b.ServerIP {
		return a.ServerIP < b.ServerIP
	}
	if a.ServerPort != b.ServerPort {
		return a.ServerPort < b.ServerPort
	}
	if a.L4 != b.L4 {
		return a.L4 < b.L4
	}
	return a.VLAN < b.VLAN
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
