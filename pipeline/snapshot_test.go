package pipeline

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/flow"
)

// TestSnapshotDuringRun reads Snapshot while Run is going (run it with
// -race) and checks that it ends equal to Stats.
func TestSnapshotDuringRun(t *testing.T) {
	src, err := capture.OpenFile("../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := New(DefaultConfig(), func(int, *flow.Flow) {})
	p.Start()

	stop := make(chan struct{})
	polled := make(chan uint64)
	go func() {
		var last uint64
		for {
			select {
			case <-stop:
				polled <- last
				return
			default:
				s := p.Snapshot()
				if s.Read.Packets < last {
					t.Errorf("Snapshot packets went back from %d to %d", last, s.Read.Packets)
				}
				last = s.Read.Packets
			}
		}
	}()
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-polled
	p.Close()

	want, got := p.Stats(), p.Snapshot()
	if want.Read.Packets == 0 {
		t.Fatal("the capture gave no packets")
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Stats{}, "Elapsed")); diff != "" {
		t.Errorf("Snapshot after Run differs from Stats (-want +got):\n%s", diff)
	}
}
