package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
)

// profiler writes the CPU and heap profiles that analyze's hidden
// --cpuprofile and --memprofile flags request.
type profiler struct {
	cpuPath, memPath string
	cpuFile          *os.File
}

func (p *profiler) start() error {
	if p.cpuPath == "" {
		return nil
	}
	f, err := os.Create(p.cpuPath)
	if err != nil {
		return fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("start CPU profile: %w", err)
	}
	p.cpuFile = f
	return nil
}

// stopCPU ends the CPU profile.
func (p *profiler) stopCPU() error {
	if p.cpuFile == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := p.cpuFile.Close()
	p.cpuFile = nil
	if err != nil {
		return fmt.Errorf("write CPU profile: %w", err)
	}
	return nil
}

// writeHeap writes the heap profile, after a garbage collection so that it
// shows what is live.
func (p *profiler) writeHeap() error {
	if p.memPath == "" {
		return nil
	}
	f, err := os.Create(p.memPath)
	if err != nil {
		return fmt.Errorf("create heap profile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return fmt.Errorf("write heap profile: %w", err)
	}
	return nil
}

// printVisibleDefaults prints the defaults of every flag of fs except the
// hidden ones.
func printVisibleDefaults(fs *flag.FlagSet, hidden ...string) {
	visible := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	visible.SetOutput(fs.Output())
	fs.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(hidden, f.Name) {
			visible.Var(f.Value, f.Name, f.Usage)
			// Var takes the value as the default, which is the parsed
			// value when the usage follows a bad flag.
			visible.Lookup(f.Name).DefValue = f.DefValue
		}
	})
	visible.PrintDefaults()
}
