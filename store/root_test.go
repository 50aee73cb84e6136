package store

import (
	"context"
	"testing"
	"time"
)

func TestComponentEmbeddedWithSpool(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{DataDir: dir, Spool: true}, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	flows := loadTestFlows(t)[:50]
	if err := c.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	flushCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := c.spool.Flush(flushCtx); err != nil {
		t.Fatal(err)
	}
	n, err := c.Count(ctx, Scope{})
	if err != nil || n != 50 {
		t.Errorf("Count = %d, %v; want 50", n, err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	if _, err := New(Config{URL: "mysql://x"}, quietLogger()); err == nil {
		t.Error("New accepted a mysql URL")
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/tmp/xdg")
	if got := DefaultDataDir(); got != "/tmp/xdg/flowlens" {
		t.Errorf("DefaultDataDir() = %q with XDG_DATA_HOME set", got)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/someone")
	if got := DefaultDataDir(); got != "/home/someone/.local/share/flowlens" {
		t.Errorf("DefaultDataDir() = %q without XDG_DATA_HOME", got)
	}
}
