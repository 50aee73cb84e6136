package store

import (
	"context"
	"strings"
	"testing"
)

func TestDuckDB(t *testing.T) {
	s, err := OpenDuckDB(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testBackend(t, s)
}

func TestDuckDBReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := OpenDuckDB(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	flows := loadTestFlows(t)[:10]
	if err := s.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenDuckDB(ctx, dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	n, err := s.Count(ctx, Scope{})
	if err != nil || n != 10 {
		t.Errorf("Count after reopen = %d, %v; want 10", n, err)
	}
}

func TestDuckDBFromBranches(t *testing.T) {
	tests := []struct {
		filter string
		unions int
	}{
		{"true", 0},
		{"client_ip = 10.0.0.1", 0},
		{"ip = 10.0.0.1", 1},
		{"not ip = 10.0.0.1", 0},
		{"app = DNS or l4 = UDP or port = 53", 2},
		{"a = 1 or a = 2 or a = 3 or a = 4 or a = 5", 0},
	}
	for _, tt := range tests {
		f, err := ParseFilter(strings.ReplaceAll(tt.filter, "a = ", "risk_score = "))
		if err != nil {
			t.Fatal(err)
		}
		from, _, err := duckdbFrom(Scope{Filter: f, To: testBase})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(from, "UNION ALL"); got != tt.unions {
			t.Errorf("%s: %d UNION ALL in %s, want %d", tt.filter, got, from, tt.unions)
		}
	}
}

func TestOpenLocate(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Locate: testLocate})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	flows := loadTestFlows(t)
	if err := s.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	top, err := s.Top(ctx, TopQuery{By: "client_country", N: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(top) == 0 || top[0].Value == "" {
		t.Errorf("top client_country = %+v, want countries from Config.Locate", top)
	}
}
