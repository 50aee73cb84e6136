package decode

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowlens/flowlens/capture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// frame is one captured frame of a test capture.
type frame struct {
	data []byte
	link capture.LinkType
	ts   int64
}

// readFrames reads every frame of a pcap or pcapng file in testdata.
func readFrames(t testing.TB, name string) []frame {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	frames, err := parseCapture(raw)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return frames
}

// parseCapture reads frames with gopacket's pcapgo, which tells pcap from
// pcapng by the file's magic number.
func parseCapture(raw []byte) ([]frame, error) {
	var frames []frame
	add := func(data []byte, link capture.LinkType, ts int64) {
		frames = append(frames, frame{data: bytes.Clone(data), link: link, ts: ts})
	}

	if len(raw) >= 4 && bytes.Equal(raw[:4], []byte{0x0A, 0x0D, 0x0D, 0x0A}) {
		r, err := pcapgo.NewNgReader(bytes.NewReader(raw), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, err
		}
		for {
			data, ci, err := r.ReadPacketData()
			if errors.Is(err, io.EOF) {
				return frames, nil
			}
			if err != nil {
				return nil, err
			}
			link := r.LinkType()
			if ci.InterfaceIndex >= 0 && ci.InterfaceIndex < r.NInterfaces() {
				if intf, err := r.Interface(ci.InterfaceIndex); err == nil {
					link = intf.LinkType
				}
			}
			add(data, capture.LinkType(link), ci.Timestamp.UnixNano())
		}
	}

	r, err := pcapgo.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return nil, err
		}
		add(data, capture.LinkType(r.LinkType()), ci.Timestamp.UnixNano())
	}
}

// checkGolden compares got with testdata/golden/name, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := diffLines(string(want), string(got)); diff != "" {
		t.Errorf("golden %s mismatch (-want +got):\n%s", name, diff)
	}
}

// diffLines returns a (-want +got) diff of two texts, line by line, or ""
// when they are equal.
func diffLines(want, got string) string {
	return cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
}
