package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeBrokenCaptures runs analyze on every damaged capture in
// capture/testdata/broken. A file that ends inside its last record gives
// a warning and exit status 0, other damage to the file gives an error
// and status 1, and damage inside one packet is counted as a skipped
// packet. In every case the flows read before the damage are printed.
func TestAnalyzeBrokenCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flowlens binary; left out with -short")
	}
	bin := buildBinary(t)
	const warning = "capture ends inside a packet record; the packets before it were read"
	tests := []struct {
		file      string
		wantExit  int
		wantFlows int
		wantErr   string // in standard error
	}{
		{"empty.pcap", 1, 0, "too short for a capture header"},
		{"file-header-truncated.pcap", 1, 0, "file ends inside the pcap file header"},
		{"wrong-magic.pcap", 1, 0, "unknown capture format"},
		{"record-header-truncated.pcap", 0, 1, warning},
		{"record-body-truncated.pcap", 0, 1, warning},
		{"huge-caplen.pcap", 0, 1, warning},
		{"caplen-over-snaplen.pcap", 1, 0, "exceeds the file's snapshot length 70"},
		{"fuzz-2021-10-13.pcap", 0, 0, warning},
		{"truncated.pcap.gz", 0, 1, warning},
		{"record-zero-length.pcap", 0, 3, "skipped   1 packets: ethernet_truncated=1"},
		{"wirelen-below-caplen.pcap", 0, 3, "packets   20 read, 20 in flows"},
		{"ip-length-beyond-frame.pcap", 0, 3, "skipped   1 packets: ipv4_truncated=1"},
		{"section-header-truncated.pcapng", 1, 0, "file ends inside a pcapng section header block"},
		{"byte-order-magic-wrong.pcapng", 1, 0, "byte-order magic 04030201"},
		{"block-length-unaligned.pcapng", 1, 0, "block length 78 is not a multiple of 4"},
		{"block-length-too-small.pcapng", 1, 0, "block length 8 is less than the minimum"},
		{"block-length-zero.pcapng", 1, 0, "block length 0 is less than the minimum"},
		{"block-trailing-mismatch.pcapng", 1, 1, "trailing block length 92 does not match the block length 88"},
		{"block-past-end.pcapng", 0, 1, warning},
		{"block-length-huge.pcapng", 1, 1, "pcapng packet block length 4294967292 exceeds the maximum"},
		{"block-header-truncated.pcapng", 0, 1, warning},
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "capture", "testdata", "broken", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("capture/testdata/broken has %d files and the table %d; add a row for each new file", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "capture", "testdata", "broken", tt.file)
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, "analyze", "-r", path)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			exit := 0
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatal(err)
				}
				exit = ee.ExitCode()
			}
			if exit != tt.wantExit {
				t.Errorf("exit status %d, want %d\n%s", exit, tt.wantExit, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("standard error lacks %q:\n%s", tt.wantErr, stderr.String())
			}
			if got := countFlowRecords(t, stdout.Bytes()); got != tt.wantFlows {
				t.Errorf("printed %d flow records, want %d", got, tt.wantFlows)
			}
		})
	}
}

// countFlowRecords counts the JSON Lines of analyze's output, checking
// that each is a flow record.
func countFlowRecords(t *testing.T, out []byte) int {
	t.Helper()
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r struct {
			ClientIP string `json:"client_ip"`
		}
		if err := json.Unmarshal(line, &r); err != nil || r.ClientIP == "" {
			t.Errorf("output line is not a flow record (%v): %s", err, line)
		}
		n++
	}
	return n
}
