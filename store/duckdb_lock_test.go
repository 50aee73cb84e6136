package store

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHoldDuckDB is not a test of its own: TestDuckDBOpenedElsewhere runs
// the test binary with FLOWLENS_HOLD_DUCKDB set, and then this function
// keeps that store open until its standard input closes.
func TestHoldDuckDB(t *testing.T) {
	dir := os.Getenv("FLOWLENS_HOLD_DUCKDB")
	if dir == "" {
		return
	}
	d, err := OpenDuckDB(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	os.Stdout.WriteString("open\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// TestDuckDBOpenedElsewhere opens a store that another process holds and
// checks that the error names that process and what to do.
func TestDuckDBOpenedElsewhere(t *testing.T) {
	dir := t.TempDir()
	holder := exec.Command(os.Args[0], "-test.run=^TestHoldDuckDB$")
	holder.Env = append(os.Environ(), "FLOWLENS_HOLD_DUCKDB="+dir)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); holder.Wait() }()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "open\n" {
		t.Fatalf("holder process printed %q, want open", line)
	}

	_, err = OpenDuckDB(context.Background(), dir)
	if err == nil {
		t.Fatal("OpenDuckDB of a store another process holds succeeded")
	}
	for _, want := range []string{filepath.Join(dir, DuckDBFile), "process " + strconv.Itoa(holder.Process.Pid), "GET /api/history/flows"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
