package store

import (
	"context"
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
