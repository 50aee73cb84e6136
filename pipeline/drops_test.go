package pipeline

import (
	"context"
	"testing"

	"github.com/flowlens/flowlens/capture"
)

// droppingSource replays a capture file and reports a kernel drop count
// that grows with every packet read, as a live source with a full ring
// would.
type droppingSource struct {
	capture.Source
	reads uint64
}

func (s *droppingSource) ReadPacket(p *capture.Packet) error {
	err := s.Source.ReadPacket(p)
	if err == nil {
		s.reads++
	}
	return err
}

func (s *droppingSource) Stats() (capture.Stats, error) {
	return capture.Stats{Packets: s.reads, Drops: 3 * s.reads}, nil
}

func TestPipelineReportsKernelDrops(t *testing.T) {
	file, err := capture.OpenFile("../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	src := &droppingSource{Source: file}
	p := New(DefaultConfig(), nil)
	p.Start()
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	p.Close()

	want := 3 * src.reads
	if src.reads == 0 {
		t.Fatal("the capture yielded no packets")
	}
	if got := p.Stats().Drops; got != want {
		t.Errorf("Stats().Drops = %d, want %d", got, want)
	}
	if got := p.Stats().Read.Drops; got != want {
		t.Errorf("Stats().Read.Drops = %d, want %d", got, want)
	}
	if got := p.Progress().Drops; got != want {
		t.Errorf("Progress().Drops = %d, want %d", got, want)
	}
}

func TestPipelineFileHasNoDrops(t *testing.T) {
	_, stats := replay(t, "../testdata/iphone.pcap", 1)
	if stats.Drops != 0 {
		t.Errorf("Stats().Drops = %d for a capture file, want 0", stats.Drops)
	}
}
