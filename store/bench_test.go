package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/flowlens/flowlens/record"
)

// benchFlows returns n copies of the test records with distinct ids and times.
func benchFlows(b *testing.B, n int) []*record.Flow {
	base := loadTestFlows(b)
	out := make([]*record.Flow, n)
	for i := range out {
		fl := *base[i%len(base)]
		fl.ID = fmt.Sprintf("b%08d", i)
		fl.FirstSeen = testBase.Add(time.Duration(i) * time.Millisecond)
		out[i] = &fl
	}
	return out
}

func benchmarkWriteFlows(b *testing.B, s Store) {
	flows := benchFlows(b, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.WriteFlows(ctx, flows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(flows))/b.Elapsed().Seconds(), "flows/s")
}

func BenchmarkWriteFlowsDuckDB(b *testing.B) {
	s, err := OpenDuckDB(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchmarkWriteFlows(b, s)
}

func BenchmarkWriteFlowsClickHouse(b *testing.B) {
	u := os.Getenv("FLOWLENS_CLICKHOUSE_URL")
	if u == "" {
		b.Skip("FLOWLENS_CLICKHOUSE_URL is not set")
	}
	s, err := OpenClickHouse(context.Background(), ClickHouseConfig{URL: u, Database: "default"})
	// The benchmark leaves its flows in the default database of the server.
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchmarkWriteFlows(b, s)
}

func BenchmarkQueryTopDuckDB(b *testing.B) {
	s, err := OpenDuckDB(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.WriteFlows(ctx, benchFlows(b, 100000)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Top(ctx, TopQuery{By: "app", N: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFilter(`app = "TLS.YouTube" and not client_ip in 10.0.0.0/8 or tls.sni contains video`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	f, _ := ParseFilter(`app = "TLS.YouTube" and not client_ip in 10.0.0.0/8 or tls.sni contains video`)
	m, _ := NewMatcher(f)
	flows := loadTestFlows(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Match(flows[i%len(flows)])
	}
}
