// Command storebench loads synthetic flows into a store backend and times
// the ingest and the explorer's queries; scripts/bench-store runs it.
//
//	storebench -flows 10000000 [-store URL] [-data-dir DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/store"
)

func main() {
	n := flag.Int("flows", 10_000_000, "number of synthetic flows to load")
	batch := flag.Int("batch", 100_000, "flows per WriteFlows call")
	url := flag.String("store", "", `backend: empty for DuckDB under -data-dir, or a ClickHouse HTTP URL`)
	dir := flag.String("data-dir", "", "data directory of the embedded database (required for DuckDB)")
	flag.Parse()
	if err := run(*n, *batch, store.Config{URL: *url, DataDir: *dir}); err != nil {
		fmt.Fprintln(os.Stderr, "storebench:", err)
		os.Exit(1)
	}
}

// cpuTime returns the user and system CPU time of the process so far. On a
// shared machine it shows the work of an ingest better than the wall clock,
// which also counts the time other jobs hold the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// day is the day the synthetic flows start in.
var day = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func run(n, batch int, cfg store.Config) error {
	ctx := context.Background()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	gen := newGenerator(n)
	var elapsed, cpu time.Duration
	for written := 0; written < n; written += batch {
		flows := gen.batch(min(batch, n-written))
		start, startCPU := time.Now(), cpuTime()
		if err := s.WriteFlows(ctx, flows); err != nil {
			return err
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - startCPU
	}
	// A ClickHouse server works in its own process, so only the client's
	// CPU time is known here.
	cpuName := "CPU"
	if cfg.URL != "" {
		cpuName = "client CPU"
	}
	fmt.Printf("| ingest | %d flows in %.1f s, %.1f s of %s | %.0f flows/s, %.0f flows per %s second |\n",
		n, elapsed.Seconds(), cpu.Seconds(), cpuName, float64(n)/elapsed.Seconds(), float64(n)/cpu.Seconds(), cpuName)
	return runQueries(ctx, s, cpuName)
}

func runQueries(ctx context.Context, s store.Store, cpuName string) error {
	whole := store.Scope{From: day, To: day.Add(24 * time.Hour)}
	queries := []struct {
		name string
		run  func() (string, error)
	}{
		{"top 10 applications by bytes over the day", func() (string, error) {
			top, err := s.Top(ctx, store.TopQuery{Scope: whole, By: "app", N: 10})
			return fmt.Sprintf("%d rows", len(top)), err
		}},
		{"flows of one host (ip = 10.0.1.7, first 1000)", func() (string, error) {
			flows, err := s.QueryFlows(ctx, store.Query{Scope: store.Scope{Filter: store.Cond("ip", store.OpEq, "10.0.1.7")}, Limit: 1000})
			return fmt.Sprintf("%d flows", len(flows)), err
		}},
		{"count of tls.sni contains \"video\"", func() (string, error) {
			c, err := s.Count(ctx, store.Scope{Filter: store.Cond("tls.sni", store.OpContains, "video")})
			return fmt.Sprintf("%d flows", c), err
		}},
		{"bytes per hour over the day", func() (string, error) {
			pts, err := s.BytesOverTime(ctx, store.SeriesQuery{Scope: whole, Bucket: time.Hour})
			return fmt.Sprintf("%d buckets", len(pts)), err
		}},
	}
	for _, q := range queries {
		var times, cpus []time.Duration
		var result string
		for range 5 {
			start, startCPU := time.Now(), cpuTime()
			r, err := q.run()
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			times, cpus, result = append(times, time.Since(start)), append(cpus, cpuTime()-startCPU), r
		}
		slices.Sort(times)
		slices.Sort(cpus)
		// A ClickHouse query runs in the server, so the client's CPU time
		// does not measure it.
		cpuNote := ""
		if cpuName == "CPU" {
			cpuNote = fmt.Sprintf(", median %d ms of CPU", cpus[2].Milliseconds())
		}
		fmt.Printf("| %s | %s | median %d ms (min %d, max %d) of 5%s |\n", q.name, result,
			times[2].Milliseconds(), times[0].Milliseconds(), times[4].Milliseconds(), cpuNote)
	}
	return nil
}

// generator makes flows spread over one day: 5,000 clients, 20,000
// servers, 40 applications and 2,000 server names.
type generator struct {
	rng  *rand.Rand
	step time.Duration
	next int
	apps []string
	snis []string
}

func newGenerator(n int) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(1, 2)), step: 24 * time.Hour / time.Duration(n)}
	for i := range 40 {
		g.apps = append(g.apps, fmt.Sprintf("TLS.App%02d", i))
	}
	words := []string{"video", "api", "cdn", "static", "mail", "login", "img", "ads"}
	for i := range 2000 {
		g.snis = append(g.snis, fmt.Sprintf("%s%d.example%d.com", words[i%len(words)], i, i%97))
	}
	return g
}

func (g *generator) batch(n int) []*record.Flow {
	out := make([]*record.Flow, n)
	for i := range out {
		out[i] = g.flow()
	}
	return out
}

func (g *generator) flow() *record.Flow {
	i := g.next
	g.next++
	client := g.rng.IntN(5000)
	server := g.rng.IntN(20000)
	first := day.Add(time.Duration(i) * g.step)
	app := g.apps[int(g.rng.ExpFloat64()*6)%len(g.apps)]
	return &record.Flow{
		Schema: 1, ID: fmt.Sprintf("f%09d", i), FirstSeen: first, LastSeen: first.Add(time.Duration(g.rng.IntN(60000)) * time.Millisecond),
		IPVersion: 4, L4: "TCP",
		ClientIP: fmt.Sprintf("10.0.%d.%d", client/256, client%256), ClientPort: uint16(1024 + g.rng.IntN(60000)),
		ServerIP: fmt.Sprintf("172.%d.%d.%d", 16+server/65536, server/256%256, server%256), ServerPort: 443,
		C2SPackets: uint64(1 + g.rng.IntN(50)), C2SBytes: uint64(60 + g.rng.IntN(20000)),
		S2CPackets: uint64(1 + g.rng.IntN(200)), S2CBytes: uint64(60 + g.rng.IntN(500000)),
		App: app, MasterProtocol: "TLS", AppProtocol: app[4:], Category: "Web", Breed: "Safe", Confidence: "dpi",
		Risks: []string{}, TLS: &record.TLS{Version: "TLSv1.3", SNI: g.snis[g.rng.IntN(len(g.snis))], JA3: "e7d705a3286e19ea42f587b344ee6865"},
	}
}
