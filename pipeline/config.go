package pipeline

import (
	"runtime"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/flow"
)

// Config sets up a pipeline.
type Config struct {
	// Workers is the number of flow-table goroutines; 0 means one per
	// available core (GOMAXPROCS).
	Workers int
	Flow    flow.Config
	Decode  decode.Config
	DPI     dpi.Config
	// NoDPI turns inspection off: flows are counted but not classified.
	NoDPI bool
	// Freeze, when set, lets the workers take idle flows out of memory
	// (flow.Config.FreezeIdle); worker is the calling worker's index, as
	// for the Sink.
	Freeze Sink
	// WallClock is set when packet times are the wall clock (a live
	// capture), so flows may expire by it while no packet arrives.
	WallClock bool
}

// DefaultConfig returns the defaults of every stage.
func DefaultConfig() Config {
	return Config{Flow: flow.DefaultConfig(), DPI: dpi.DefaultConfig()}
}

func (c Config) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}
