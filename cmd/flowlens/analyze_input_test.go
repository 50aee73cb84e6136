package main

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAnalyzeStandardInput reads a capture from a pipe given as -r - and
// expects the output of reading the file itself.
func TestAnalyzeStandardInput(t *testing.T) {
	pcap := "../../testdata/iphone.pcap"
	feedStdin(t, pcap)
	piped := captureStdout(t, func() error { return runAnalyze([]string{"-r", "-"}, discardLogger()) })
	direct := captureStdout(t, func() error { return runAnalyze([]string{"-r", pcap}, discardLogger()) })
	if piped != direct {
		t.Errorf("analyze -r - printed %d bytes, the file itself %d; want the same output", len(piped), len(direct))
	}
}

// feedStdin makes the content of file the standard input of the test
// process until the test ends, through a pipe: both os.Stdin and file
// descriptor 0, which /dev/stdin opens.
func feedStdin(t *testing.T, file string) {
	t.Helper()
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write(content)
		w.Close()
	}()
	saved, err := syscall.Dup(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(r.Fd()), 0); err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = r
	t.Cleanup(func() {
		os.Stdin = stdin
		syscall.Dup2(saved, 0)
		syscall.Close(saved)
		r.Close()
	})
}

// TestAnalyzeWarnsOfUnknownLinkType reads the bundled capture with its link
// type changed to one flowlens does not decode, and expects a warning.
func TestAnalyzeWarnsOfUnknownLinkType(t *testing.T) {
	content, err := os.ReadFile("../../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(content[20:], 999)
	path := filepath.Join(t.TempDir(), "link-999.pcap")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	captureStdout(t, func() error { return runAnalyze([]string{"-r", path}, logger) })
	if !strings.Contains(logged.String(), "link type flowlens does not decode") || !strings.Contains(logged.String(), "packets=500") {
		t.Errorf("log %q, want a warning about 500 packets of an unknown link type", logged.String())
	}
}
