package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// collectIPhone runs the bundled capture through a collector made by
// newCollector(encode), with runBytes set when it is not 0, and returns
// the output and the number of flows.
func collectIPhone(t *testing.T, encode bool, runBytes int) ([]byte, int) {
	t.Helper()
	collected, err := newCollector(encode)
	if err != nil {
		t.Fatal(err)
	}
	defer collected.close()
	if runBytes != 0 {
		collected.runBytes = runBytes
	}
	flows, _, err := collectCapture(context.Background(), "../../testdata/iphone.pcap", "", capturePipelineConfig(), quietJudge(t), collected)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n, err := collected.writeEntries(&out, "jsonl", flows)
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), n
}

func TestCollectorSpillMatchesRecords(t *testing.T) {
	want, n := collectIPhone(t, false, 0)
	if n < 50 {
		t.Fatalf("the capture gave %d flows, too few to need several runs", n)
	}
	for _, runBytes := range []int{1, 4 << 10, defaultRunBytes} {
		got, _ := collectIPhone(t, true, runBytes)
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("runs of %d bytes: spilled output differs from the records' (-records +spilled):\n%s", runBytes, diff)
		}
	}
}

func TestCollectorSpillFileRemoved(t *testing.T) {
	collected, err := newCollector(true)
	if err != nil {
		t.Fatal(err)
	}
	name := collected.spill.Name()
	collected.close()
	if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("spill file %s after close: stat error %v, want not found", name, err)
	}
}
