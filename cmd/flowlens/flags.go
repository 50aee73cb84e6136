package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/flowlens/flowlens/pipeline"
)

// maxWorkers bounds --workers: each worker holds batch buffers, and more
// workers than cores only adds hand-overs.
const maxWorkers = 256

// checkPipelineFlags rejects values that would make no sense or exhaust
// memory, naming the flag and the accepted range.
func checkPipelineFlags(c *pipeline.Config) error {
	switch {
	case c.Workers < 0 || c.Workers > maxWorkers:
		return fmt.Errorf("invalid --workers %d: use 0 (one per core) to %d", c.Workers, maxWorkers)
	case c.Flow.IdleTimeoutUDP < 0, c.Flow.IdleTimeoutTCP < 0, c.Flow.CloseLinger < 0, c.Flow.ActiveTimeout < 0, c.Flow.InspectIdle < 0, c.Flow.FreezeIdle < 0:
		return errors.New("invalid timeout: --idle-timeout-udp, --idle-timeout-tcp, --close-linger, --active-timeout, --inspect-idle and --freeze-idle take 0 (never) or a positive duration")
	case c.Flow.MaxFlows < 1:
		return fmt.Errorf("invalid --max-flows %d: use 1 or more", c.Flow.MaxFlows)
	case c.DPI.MaxPackets < 1:
		return fmt.Errorf("invalid --dpi-packets %d: use 1 or more", c.DPI.MaxPackets)
	}
	return nil
}

// addPipelineFlags registers the flags that tune the pipeline's stages.
func addPipelineFlags(fs *flag.FlagSet, c *pipeline.Config) {
	fs.IntVar(&c.Workers, "workers", 0, "flow-table worker goroutines (0: one per core)")
	fs.DurationVar(&c.Flow.IdleTimeoutUDP, "idle-timeout-udp", c.Flow.IdleTimeoutUDP, "close UDP, ICMP and other non-TCP flows after this long without packets (0: never)")
	fs.DurationVar(&c.Flow.IdleTimeoutTCP, "idle-timeout-tcp", c.Flow.IdleTimeoutTCP, "close TCP flows without FIN or RST after this long without packets (0: never)")
	fs.DurationVar(&c.Flow.CloseLinger, "close-linger", c.Flow.CloseLinger, "close a TCP flow this long after RST or FIN in both directions (0: never)")
	fs.DurationVar(&c.Flow.ActiveTimeout, "active-timeout", c.Flow.ActiveTimeout, "close flows that have lasted this long and start a new one (0: never)")
	fs.DurationVar(&c.Flow.InspectIdle, "inspect-idle", c.Flow.InspectIdle, "when no idle timeout or close linger is set, end the inspection of a flow idle this long in packet time (checked once a second) to free its buffers; its later packets still count but are not inspected (0: never)")
	fs.DurationVar(&c.Flow.FreezeIdle, "freeze-idle", c.Flow.FreezeIdle, "when no idle timeout or close linger is set, move a flow whose inspection is over and that was idle this long in packet time to a temporary file, to save memory; a later packet reads it back (analyze with JSON Lines output only; 0: never)")
	fs.IntVar(&c.Flow.MaxFlows, "max-flows", c.Flow.MaxFlows, "maximum open flows; past it the least recently active are closed early")
	fs.BoolVar(&c.NoDPI, "no-dpi", false, "count flows without identifying applications")
	fs.IntVar(&c.DPI.MaxPackets, "dpi-packets", c.DPI.MaxPackets, "packets with payload inspected per flow before giving up")
	fs.BoolFunc("no-port-guess", "leave unidentified flows Unknown instead of guessing from the port", func(string) error {
		c.DPI.PortGuess = false
		return nil
	})
}
