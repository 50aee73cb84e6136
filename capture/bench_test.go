package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// BenchmarkPcap reads cassandra.pcap from memory. The few bytes per op
// are the packet buffer that each reopened reader grows once.
func BenchmarkPcap(b *testing.B) {
	benchmarkReader(b, "testdata/cassandra.pcap")
}

// BenchmarkPcapng reads http_starting_with_reply.pcapng, which also has
// blocks to skip.
func BenchmarkPcapng(b *testing.B) {
	benchmarkReader(b, "testdata/http_starting_with_reply.pcapng")
}

// benchmarkReader reads the capture over and over, one packet per
// iteration, reopening it outside the timer at each end.
func benchmarkReader(b *testing.B, path string) {
	content := readFile(b, path)
	src := openBytes(b, content)
	var p Packet
	var total int64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		err := src.ReadPacket(&p)
		if errors.Is(err, io.EOF) {
			b.StopTimer()
			src = openBytes(b, content)
			b.StartTimer()
			err = src.ReadPacket(&p)
		}
		if err != nil {
			b.Fatal(err)
		}
		total += int64(p.CaptureLength)
	}
	b.SetBytes(total / int64(b.N))
}

func readFile(b *testing.B, path string) []byte {
	content, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return content
}

func openBytes(b *testing.B, content []byte) Source {
	src, err := newReader("bench", bytes.NewReader(content))
	if err != nil {
		b.Fatal(err)
	}
	return src
}
