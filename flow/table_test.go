package flow

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
)

const (
	clientAddr = "10.0.0.1"
	serverAddr = "10.0.0.2"
)

// pkt builds a decoded TCP or UDP packet from src:sport to dst:dport.
func pkt(proto uint8, src string, sport uint16, dst string, dport uint16, flags uint8) *decode.Packet {
	return &decode.Packet{
		IPVersion: 4, Protocol: proto,
		Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst),
		SrcPort: sport, DstPort: dport, TCPFlags: flags,
	}
}

// summary is what the tests compare of a closed flow.
type summary struct {
	Client, Server string
	Packets, Bytes [2]uint64
}

func summarize(f *Flow) summary {
	ca, cp := f.Client()
	sa, sp := f.Server()
	return summary{
		Client:  netip.AddrPortFrom(ca, cp).String(),
		Server:  netip.AddrPortFrom(sa, sp).String(),
		Packets: f.Packets, Bytes: f.Bytes,
	}
}

func newTestTable(cfg Config) (*Table, *[]summary) {
	var closed []summary
	t := NewTable(cfg, nil, func(f *Flow) { closed = append(closed, summarize(f)) })
	return t, &closed
}

const (
	syn    = decode.TCPFlagSYN
	synAck = decode.TCPFlagSYN | decode.TCPFlagACK
	ack    = decode.TCPFlagACK
	finAck = decode.TCPFlagFIN | decode.TCPFlagACK
	rst    = decode.TCPFlagRST
)

func TestTableClientDirection(t *testing.T) {
	tests := []struct {
		name    string
		first   *decode.Packet
		heur    bool
		client  string
		packets [2]uint64
	}{
		{"syn from client", pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 443, syn), true, "10.0.0.1:40000", [2]uint64{1, 1}},
		{"syn-ack first", pkt(decode.ProtoTCP, serverAddr, 443, clientAddr, 40000, synAck), true, "10.0.0.1:40000", [2]uint64{1, 1}},
		{"mid-stream from well-known port", pkt(decode.ProtoTCP, serverAddr, 443, clientAddr, 40000, ack), true, "10.0.0.1:40000", [2]uint64{1, 1}},
		{"mid-stream without heuristic", pkt(decode.ProtoTCP, serverAddr, 443, clientAddr, 40000, ack), false, "10.0.0.2:443", [2]uint64{1, 1}},
		{"udp from well-known port", pkt(decode.ProtoUDP, serverAddr, 53, clientAddr, 40000, 0), true, "10.0.0.1:40000", [2]uint64{1, 1}},
		{"udp between ephemeral ports", pkt(decode.ProtoUDP, serverAddr, 50000, clientAddr, 40000, 0), true, "10.0.0.2:50000", [2]uint64{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.PortHeuristic = tt.heur
			table, closed := newTestTable(cfg)
			reply := *tt.first
			reply.Src, reply.Dst, reply.SrcPort, reply.DstPort = tt.first.Dst, tt.first.Src, tt.first.DstPort, tt.first.SrcPort
			reply.TCPFlags = ack
			table.Add(tt.first, 100, 1e9)
			table.Add(&reply, 60, 2e9)
			table.Flush()
			if len(*closed) != 1 {
				t.Fatalf("got %d flows, want 1", len(*closed))
			}
			got := (*closed)[0]
			if got.Client != tt.client {
				t.Errorf("client = %s, want %s", got.Client, tt.client)
			}
			if got.Packets != tt.packets {
				t.Errorf("packets = %v, want %v", got.Packets, tt.packets)
			}
		})
	}
}

func TestTableCountsBytesPerDirection(t *testing.T) {
	table, closed := newTestTable(DefaultConfig())
	table.Add(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 80, syn), 74, 1e9)
	table.Add(pkt(decode.ProtoTCP, serverAddr, 80, clientAddr, 40000, synAck), 74, 1e9+1)
	table.Add(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 80, ack), 66, 1e9+2)
	table.Add(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 80, ack), 500, 1e9+3)
	table.Flush()
	want := []summary{{Client: "10.0.0.1:40000", Server: "10.0.0.2:80", Packets: [2]uint64{3, 1}, Bytes: [2]uint64{640, 74}}}
	if diff := cmp.Diff(want, *closed); diff != "" {
		t.Errorf("flows (-want +got):\n%s", diff)
	}
}

func TestTableIdleTimeoutSplitsFlow(t *testing.T) {
	table, closed := newTestTable(DefaultConfig())
	p := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 53, 0)
	table.Add(p, 80, int64(time.Second))
	table.Add(p, 80, int64(30*time.Second))
	table.Add(p, 80, int64(100*time.Second)) // 70 s idle: a new flow
	if len(*closed) != 1 {
		t.Fatalf("flows closed before flush = %d, want 1", len(*closed))
	}
	table.Flush()
	if len(*closed) != 2 {
		t.Fatalf("flows = %d, want 2", len(*closed))
	}
	if got := (*closed)[0].Packets[0]; got != 2 {
		t.Errorf("first flow packets = %d, want 2", got)
	}
	if got := (*closed)[1].Packets[0]; got != 1 {
		t.Errorf("second flow packets = %d, want 1", got)
	}
}

func TestTableClosesAfterFinBothWays(t *testing.T) {
	cfg := DefaultConfig()
	table, closed := newTestTable(cfg)
	table.Add(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 80, syn), 60, 1e9)
	table.Add(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 80, finAck), 60, 2e9)
	table.Add(pkt(decode.ProtoTCP, serverAddr, 80, clientAddr, 40000, finAck), 60, 3e9)
	table.Expire(3e9 + int64(cfg.CloseLinger) - 1)
	if len(*closed) != 0 {
		t.Fatalf("flow closed before the linger ended")
	}
	table.Expire(3e9 + int64(cfg.CloseLinger))
	if len(*closed) != 1 {
		t.Fatalf("flows closed = %d, want 1 after the linger", len(*closed))
	}
	if got := table.Stats().Active; got != 0 {
		t.Errorf("active = %d, want 0", got)
	}
}

func TestTableTCPWithoutFinUsesTCPTimeout(t *testing.T) {
	cfg := DefaultConfig()
	table, closed := newTestTable(cfg)
	table.Add(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 80, syn), 60, 1e9)
	table.Expire(1e9 + int64(cfg.IdleTimeoutUDP))
	if len(*closed) != 0 {
		t.Fatalf("TCP flow closed after the UDP timeout")
	}
	table.Expire(1e9 + int64(cfg.IdleTimeoutTCP))
	if len(*closed) != 1 {
		t.Fatalf("TCP flow still open after the TCP timeout")
	}
}

func TestTableActiveTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ActiveTimeout = 10 * time.Second
	table, closed := newTestTable(cfg)
	p := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 5000, 0)
	for s := int64(0); s < 25; s++ {
		table.Add(p, 100, (s+1)*int64(time.Second))
	}
	table.Flush()
	if len(*closed) != 3 {
		t.Fatalf("flows = %d, want 3 pieces of at most 10 s", len(*closed))
	}
	if got := (*closed)[0].Packets[0]; got != 10 {
		t.Errorf("first piece packets = %d, want 10", got)
	}
}

func TestTableEvictsOldestWhenFull(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows = 2
	table, closed := newTestTable(cfg)
	table.Add(pkt(decode.ProtoUDP, clientAddr, 41001, serverAddr, 5000, 0), 100, 1e9)
	table.Add(pkt(decode.ProtoUDP, clientAddr, 41002, serverAddr, 5000, 0), 100, 2e9)
	table.Add(pkt(decode.ProtoUDP, clientAddr, 41001, serverAddr, 5000, 0), 100, 3e9)
	table.Add(pkt(decode.ProtoUDP, clientAddr, 41003, serverAddr, 5000, 0), 100, 4e9)
	if len(*closed) != 1 {
		t.Fatalf("evicted flows = %d, want 1", len(*closed))
	}
	if got := (*closed)[0].Client; got != "10.0.0.1:41002" {
		t.Errorf("evicted %s, want the least recently active 10.0.0.1:41002", got)
	}
	if got := table.Stats().Evicted; got != 1 {
		t.Errorf("evicted counter = %d, want 1", got)
	}
}

func TestKeyHashSymmetric(t *testing.T) {
	a, _ := KeyOf(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 443, 0))
	b, _ := KeyOf(pkt(decode.ProtoTCP, serverAddr, 443, clientAddr, 40000, 0))
	if a != b {
		t.Fatalf("keys differ by direction: %+v vs %+v", a, b)
	}
	if a.Hash() != b.Hash() {
		t.Errorf("hash differs by direction")
	}
}

// captureConfig is the table configuration of a capture read as one flow
// per key: no idle timeout, so only InspectIdle frees inspection state.
func captureConfig() Config {
	cfg := DefaultConfig()
	cfg.IdleTimeoutUDP, cfg.IdleTimeoutTCP, cfg.CloseLinger = 0, 0, 0
	return cfg
}

func TestTableParksIdleFlow(t *testing.T) {
	var closed []*Flow
	table := NewTable(captureConfig(), dpi.NewEngine(dpi.DefaultConfig()), func(f *Flow) { closed = append(closed, f) })
	p := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 41000, 0)
	p.Payload = []byte("no protocol starts with these bytes")
	table.Add(p, 100, int64(time.Second))
	key, _ := KeyOf(p)
	f := table.flows[key]
	if f.DPI.Finished() {
		t.Fatal("inspection over after one unknown packet, want it going on")
	}

	advance(table, time.Second, time.Second+10*time.Minute)
	if !f.DPI.Finished() {
		t.Error("inspection still going on after 10 minutes idle")
	}
	if got := table.Stats().Parked; got != 1 {
		t.Errorf("parked = %d, want 1", got)
	}
	if len(closed) != 0 {
		t.Fatalf("closed %d flows while parking, want 0", len(closed))
	}

	// The next packet counts in the same flow, which stays on the list of
	// flows done with inspection, so a later Expire does not park it again.
	table.Add(p, 100, int64(time.Second+11*time.Minute))
	if f.list != classDone+1 {
		t.Errorf("flow on list %d after its next packet, want %d", f.list, classDone+1)
	}
	advance(table, time.Second+11*time.Minute, time.Second+12*time.Minute)
	if got := table.Stats().Parked; got != 1 {
		t.Errorf("parked = %d after 1 minute idle, want 1", got)
	}
	table.Flush()
	if len(closed) != 1 {
		t.Fatalf("flows = %d, want 1", len(closed))
	}
	if got := closed[0].Packets[0]; got != 2 {
		t.Errorf("packets = %d, want 2", got)
	}
}

// advance runs the table's expiry every 30 seconds of packet time from
// after from to to, as the packets of a capture would.
func advance(table *Table, from, to time.Duration) {
	for ts := from + 30*time.Second; ts <= to; ts += 30 * time.Second {
		table.Expire(int64(ts))
	}
	table.Expire(int64(to))
}

func TestTableParkingIgnoresClockJump(t *testing.T) {
	table := NewTable(captureConfig(), dpi.NewEngine(dpi.DefaultConfig()), nil)
	p := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 41000, 0)
	p.Payload = []byte("no protocol starts with these bytes")
	table.Add(p, 100, int64(time.Second))
	key, _ := KeyOf(p)
	f := table.flows[key]

	// One packet a day ahead, which the pipeline's tick expires a second
	// time, then the clock where it was.
	table.Expire(int64(24 * time.Hour))
	table.Expire(int64(24 * time.Hour))
	table.Expire(int64(2 * time.Second))
	table.Expire(int64(3 * time.Second))
	if f.DPI.Finished() {
		t.Error("inspection ended by a one-packet jump of the clock")
	}
	if got := table.Stats().Parked; got != 0 {
		t.Errorf("parked = %d after a clock jump, want 0", got)
	}
}

func TestTableTimeoutsCloseRatherThanPark(t *testing.T) {
	var closed int
	table := NewTable(DefaultConfig(), dpi.NewEngine(dpi.DefaultConfig()), func(*Flow) { closed++ })
	p := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 41000, 0)
	p.Payload = []byte("no protocol starts with these bytes")
	table.Add(p, 100, int64(time.Second))
	table.Expire(int64(time.Second + 10*time.Minute))
	if closed != 1 {
		t.Errorf("closed = %d after 10 minutes idle with timeouts, want 1", closed)
	}
	if got := table.Stats().Parked; got != 0 {
		t.Errorf("parked = %d with timeouts, want 0", got)
	}
}
