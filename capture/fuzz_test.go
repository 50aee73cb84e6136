package capture

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzPcap feeds bytes to the format detection and the pcap reader. A
// reader must end with an error, never panic, and keep Data within the
// captured length.
func FuzzPcap(f *testing.F) {
	addSeeds(f, "*.pcap", "broken/*.pcap", "*.pcap.gz")
	f.Fuzz(readFuzzInput)
}

// FuzzPcapng does the same for pcapng input.
func FuzzPcapng(f *testing.F) {
	addSeeds(f, "*.pcapng", "broken/*.pcapng", "*.pcapng.gz")
	f.Fuzz(readFuzzInput)
}

func addSeeds(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		paths, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range paths {
			content, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(content)
		}
	}
}

func readFuzzInput(t *testing.T, input []byte) {
	src, err := newReader("fuzz", bytes.NewReader(input))
	if err != nil {
		return
	}
	defer src.Close()

	var p Packet
	for {
		err := src.ReadPacket(&p)
		if err != nil {
			var formatErr *FormatError
			if errors.As(err, &formatErr) && formatErr.Offset < 0 {
				t.Fatalf("negative offset in %v", err)
			}
			return
		}
		if len(p.Data) != p.CaptureLength || p.CaptureLength > maxCaptureLength {
			t.Fatalf("len(Data) = %d, CaptureLength = %d", len(p.Data), p.CaptureLength)
		}
	}
}
