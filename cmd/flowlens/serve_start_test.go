package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeStartFailuresLeaveNoStore starts serve with a taken address and
// with a bad filter: each fails with its reason before the store opens,
// so no data directory is created.
func TestServeStartFailuresLeaveNoStore(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"taken address", []string{"--listen", taken.Addr().String()}, "give a free address with --listen"},
		{"bad filter", []string{"--listen", "127.0.0.1:0", "-f", "tcp port ((("}, "invalid filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			args := append([]string{"-r", "../../testdata/iphone.pcap", "--data-dir", dataDir}, tt.args...)
			err := runServe(args, discardLogger())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve %q = %v, want an error containing %q", args, err, tt.want)
			}
			if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
				t.Errorf("data directory %s exists after the failed start (stat: %v)", dataDir, err)
			}
		})
	}
}
