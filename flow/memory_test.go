package flow

import (
	"net/netip"
	"runtime"
	"testing"

	"github.com/flowlens/flowlens/decode"
)

// maxBytesPerIdleFlow is the heap budget of one open TCP flow without DPI
// state: the Flow itself and its share of the table's map.
const maxBytesPerIdleFlow = 400

// maxBytesPerChurnedFlow is the budget of one open flow in a full table
// that evicts a flow for every new one. The map then keeps about twice as
// many slots as it has flows, because deleted slots are reused only when
// the map is rebuilt. It measured about 470 bytes with Go 1.26.
const maxBytesPerChurnedFlow = 640

// scanPacket sets p to the i-th SYN of a scan that gives every packet its
// own flow: source ports 1 to 65,535 of each source address in turn,
// counting up from 10.0.0.0, against one server port.
func scanPacket(p *decode.Packet, i int) {
	src := 0x0a000000 + uint32(i/65535)
	p.Src = netip.AddrFrom4([4]byte{byte(src >> 24), byte(src >> 16), byte(src >> 8), byte(src)})
	p.SrcPort = uint16(1 + i%65535)
}

func newScanPacket() *decode.Packet {
	return &decode.Packet{
		IPVersion: 4, Protocol: decode.ProtoTCP, TCPFlags: decode.TCPFlagSYN,
		Dst: netip.MustParseAddr("192.0.2.1"), DstPort: 443,
	}
}

// heapInUse returns the bytes of live heap objects after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// bytesPerIdleFlow opens n one-packet TCP flows in a table without DPI and
// returns the heap they take, per flow.
func bytesPerIdleFlow(tb testing.TB, n int) float64 {
	cfg := DefaultConfig()
	cfg.MaxFlows = n
	before := heapInUse()
	table := NewTable(cfg, nil, nil)
	p := newScanPacket()
	for i := 0; i < n; i++ {
		scanPacket(p, i)
		table.Add(p, 60, int64(i)*1000)
	}
	after := heapInUse()
	if got := table.Stats().Active; got != n {
		tb.Fatalf("active flows = %d, want %d", got, n)
	}
	runtime.KeepAlive(table)
	return float64(after-before) / float64(n)
}

func TestIdleFlowMemory(t *testing.T) {
	const flows = 1_000_000
	perFlow := bytesPerIdleFlow(t, flows)
	t.Logf("%d idle TCP flows without DPI: %.0f bytes of heap per flow", flows, perFlow)
	if perFlow > maxBytesPerIdleFlow {
		t.Errorf("idle TCP flow takes %.0f bytes, want at most %d", perFlow, maxBytesPerIdleFlow)
	}
}

// TestScanFloodStaysBounded feeds a scan of ten million one-packet flows to
// a table bounded to 100,000 flows and checks that the heap stays within
// the bound's worth of flows, and that every flow past the bound was
// evicted and emitted.
func TestScanFloodStaysBounded(t *testing.T) {
	const flows, bound = 10_000_000, 100_000
	cfg := DefaultConfig()
	cfg.MaxFlows = bound
	emitted := 0
	base := heapInUse()
	table := NewTable(cfg, nil, func(*Flow) { emitted++ })
	p := newScanPacket()
	// Packet times 1 µs apart keep the whole scan inside the idle
	// timeout, so only the bound closes flows.
	var peak uint64

	for i := 0; i < flows; i++ {
		scanPacket(p, i)
		table.Add(p, 60, int64(i)*1000)
		if i%1_000_000 == 999_999 {
			peak = max(peak, heapInUse()-base)
		}
	}

	limit := uint64(bound * maxBytesPerChurnedFlow)
	t.Logf("peak heap %d bytes for %d open flows: %.0f bytes per flow", peak, bound, float64(peak)/bound)
	if peak > limit {
		t.Errorf("peak heap = %d bytes, want at most %d for %d flows", peak, limit, bound)
	}
	stats := table.Stats()
	if stats.Active != bound {
		t.Errorf("active flows = %d, want %d", stats.Active, bound)
	}
	if want := uint64(flows - bound); stats.Evicted != want {
		t.Errorf("evicted = %d, want %d", stats.Evicted, want)
	}
	if emitted != flows-bound {
		t.Errorf("emitted %d flows, want %d", emitted, flows-bound)
	}
}

func BenchmarkIdleFlowMemory(b *testing.B) {
	b.ReportAllocs()
	perFlow := 0.0
	for b.Loop() {
		perFlow = bytesPerIdleFlow(b, 100_000)
	}
	b.ReportMetric(perFlow, "bytes/flow")
}
