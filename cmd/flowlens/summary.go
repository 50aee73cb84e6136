package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/pipeline"
)

// printSummary writes the one-screen report of a run.
func printSummary(w io.Writer, s pipeline.Stats, flows int) {
	secs := s.Elapsed.Seconds()
	pps := 0.0
	if secs > 0 {
		pps = float64(s.Read.Packets) / secs
	}
	fmt.Fprintf(w, "packets   %d read, %d in flows\n", s.Read.Packets, s.Flow.Packets)
	fmt.Fprintf(w, "bytes     %d\n", s.Read.Bytes)
	if s.Drops > 0 {
		fmt.Fprintf(w, "dropped   %d packets: the capture ring was full\n", s.Drops)
	}
	fmt.Fprintf(w, "flows     %d", flows)
	if s.Flow.Evicted > 0 {
		fmt.Fprintf(w, " (%d closed early: table full)", s.Flow.Evicted)
	}
	if s.Flow.Parked > 0 {
		fmt.Fprintf(w, " (inspection ended %d times after --inspect-idle)", s.Flow.Parked)
	}
	if s.Flow.Frozen > 0 {
		fmt.Fprintf(w, " (moved to a temporary file %d times after --freeze-idle, read back %d times)", s.Flow.Frozen, s.Flow.Thawed)
	}
	if s.Flow.FreezeFailed > 0 {
		fmt.Fprintf(w, " (%d could not be moved or read back; see the log)", s.Flow.FreezeFailed)
	}
	fmt.Fprintln(w)
	if skipped := s.Read.Packets - s.Read.Decoded; skipped > 0 {
		fmt.Fprintf(w, "skipped   %d packets:", skipped)
		for _, r := range decode.Reasons() {
			if n := s.Decode.Count(r); n > 0 {
				fmt.Fprintf(w, " %s=%d", r, n)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "elapsed   %s (%.0f packets/s)\n", s.Elapsed.Round(time.Millisecond), pps)
}

// progress draws a one-line progress report on a terminal.
type progress struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func startProgress(p *pipeline.Pipeline, name string) *progress {
	pr := &progress{done: make(chan struct{})}
	if !isTerminal(os.Stderr) {
		return pr
	}
	pr.wg.Add(1)
	go func() {
		defer pr.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-pr.done:
				fmt.Fprint(os.Stderr, "\r\033[K")
				return
			case <-t.C:
				c := p.Progress()
				fmt.Fprintf(os.Stderr, "\r\033[K%s: %d packets, %.1f MB", name, c.Packets, float64(c.Bytes)/1e6)
			}
		}
	}()
	return pr
}

func (pr *progress) stop() {
	close(pr.done)
	pr.wg.Wait()
}
