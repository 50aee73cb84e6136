package decode

import (
	"bytes"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/flowlens/flowlens/capture"
)

// fragmentsOf splits a UDP datagram of payloadLen bytes between the inner
// IPv4 addresses into IPv4 fragments of at most size bytes (a multiple of
// 8), and returns the frames and the datagram's UDP payload.
func fragmentsOf(t *testing.T, id uint16, payloadLen, size int) ([][]byte, []byte) {
	t.Helper()
	payload := bytes.Repeat([]byte{byte(id)}, payloadLen)
	datagram := build(t, udp(5000, 6000), gopacket.Payload(payload))
	var frames [][]byte
	for off := 0; off < len(datagram); off += size {
		end := min(off+size, len(datagram))
		ip := ip4(layers.IPProtocolUDP, innerSrc4, innerDst4)
		ip.Id, ip.FragOffset = id, uint16(off/8)
		if end < len(datagram) {
			ip.Flags = layers.IPv4MoreFragments
		}
		frames = append(frames, build(t, ip, gopacket.Payload(datagram[off:end])))
	}
	return frames, payload
}

type fragmentStep struct {
	frame   int // index into the fragments
	at      time.Duration
	ok      bool
	payload int // expected len(Payload) when ok
}

// TestFragmentReassembly replays fragments in various orders and checks
// each result and the counters.
func TestFragmentReassembly(t *testing.T) {
	const size = 24 // three fragments: 24 + 24 + 12 bytes of a 60-byte datagram
	cases := []struct {
		name  string
		cfg   Config
		steps []fragmentStep
		want  Stats
	}{
		{"in order", Config{}, []fragmentStep{{0, 0, true, 16}, {1, 0, true, 0}, {2, 0, true, 52}},
			Stats{Decoded: 3, Reassembled: 1}},
		{"last first", Config{}, []fragmentStep{{2, 0, false, 0}, {0, 0, true, 16}, {1, 0, true, 52}},
			Stats{Decoded: 2, Reassembled: 1, Rejected: rejected(ReasonFragmentWithoutFirst, 1)}},
		{"first completes", Config{}, []fragmentStep{{1, 0, false, 0}, {2, 0, false, 0}, {0, 0, true, 52}},
			Stats{Decoded: 1, Reassembled: 1, Rejected: rejected(ReasonFragmentWithoutFirst, 2)}},
		{"duplicate fragment", Config{}, []fragmentStep{{0, 0, true, 16}, {0, 0, true, 16}, {1, 0, true, 0}, {2, 0, true, 52}},
			Stats{Decoded: 4, Reassembled: 1}},
		{"timed out", Config{FragmentTimeout: time.Second}, []fragmentStep{{0, 0, true, 16}, {1, 2 * time.Second, false, 0}, {2, 2 * time.Second, false, 0}},
			Stats{Decoded: 1, FragmentsExpired: 1, Rejected: rejected(ReasonFragmentWithoutFirst, 2)}},
		{"byte limit", Config{MaxFragmentBytes: 40}, []fragmentStep{{0, 0, true, 16}, {1, 0, true, 0}, {2, 0, true, 0}},
			Stats{Decoded: 3, FragmentsOverflowed: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			frames, payload := fragmentsOf(t, 7, 52, size)
			d := New(tc.cfg)
			for i, s := range tc.steps {
				var p Packet
				ok := d.Decode(frames[s.frame], capture.LinkTypeIPv4, int64(s.at), &p)
				if ok != s.ok {
					t.Fatalf("step %d: Decode = %v, want %v", i, ok, s.ok)
				}
				if !ok {
					continue
				}
				if !p.Fragment || p.SrcPort != 5000 || p.DstPort != 6000 || p.Protocol != ProtoUDP {
					t.Errorf("step %d: got fragment=%v %d > %d protocol %d, want a UDP fragment 5000 > 6000",
						i, p.Fragment, p.SrcPort, p.DstPort, p.Protocol)
				}
				if len(p.Payload) != s.payload {
					t.Errorf("step %d: payload is %d bytes, want %d", i, len(p.Payload), s.payload)
				}
				if len(p.Payload) == len(payload) && !bytes.Equal(p.Payload, payload) {
					t.Errorf("step %d: reassembled payload differs from the datagram's", i)
				}
			}
			if got := d.Stats(); got != tc.want {
				t.Errorf("stats = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func rejected(r Reason, n uint64) [numReasons]uint64 {
	var counts [numReasons]uint64
	counts[r] = n
	return counts
}

// TestFragmentEviction checks that a new datagram evicts the oldest one
// when every slot is taken, and that the evicted one cannot complete. The
// late fragment of datagram 1 takes a slot too, evicting datagram 2.
func TestFragmentEviction(t *testing.T) {
	d := New(Config{MaxFragmentDatagrams: 2})
	var p Packet
	for id := uint16(1); id <= 3; id++ {
		frames, _ := fragmentsOf(t, id, 52, 24)
		if !d.Decode(frames[0], capture.LinkTypeIPv4, int64(id), &p) {
			t.Fatalf("first fragment of datagram %d rejected", id)
		}
	}
	frames, _ := fragmentsOf(t, 1, 52, 24)
	if d.Decode(frames[1], capture.LinkTypeIPv4, 4, &p) {
		t.Error("fragment of the evicted datagram decoded, want rejected")
	}
	st := d.Stats()
	if st.FragmentsEvicted != 2 {
		t.Errorf("FragmentsEvicted = %d, want 2", st.FragmentsEvicted)
	}
	if st.Count(ReasonFragmentWithoutFirst) != 1 {
		t.Errorf("fragment_without_first = %d, want 1", st.Count(ReasonFragmentWithoutFirst))
	}
}

// TestIPv6Fragments checks IPv6 fragments, and that an atomic fragment is
// decoded as a whole packet.
func TestIPv6Fragments(t *testing.T) {
	datagram := build(t, udp(5000, 6000), gopacket.Payload(bytes.Repeat([]byte{9}, 40)))
	fragment := func(off int, more bool, data []byte) []byte {
		h := &layers.IPv6Fragment{NextHeader: layers.IPProtocolUDP, FragmentOffset: uint16(off / 8), MoreFragments: more, Identification: 77}
		return build(t, ip6(layers.IPProtocolIPv6Fragment), h, gopacket.Payload(data))
	}
	d := New(Config{})
	var p Packet
	if !d.Decode(fragment(0, true, datagram[:24]), capture.LinkTypeIPv6, 0, &p) || p.DstPort != 6000 || len(p.Payload) != 16 {
		t.Fatalf("first fragment: got port %d payload %d bytes, want port 6000 and 16 bytes", p.DstPort, len(p.Payload))
	}
	if !d.Decode(fragment(24, false, datagram[24:]), capture.LinkTypeIPv6, 0, &p) || p.DstPort != 6000 || len(p.Payload) != 40 {
		t.Fatalf("last fragment: got port %d payload %d bytes, want port 6000 and 40 bytes", p.DstPort, len(p.Payload))
	}
	if !p.Fragment || p.Protocol != ProtoUDP {
		t.Errorf("last fragment: Fragment=%v protocol %d, want a UDP fragment", p.Fragment, p.Protocol)
	}

	if !d.Decode(fragment(0, false, datagram), capture.LinkTypeIPv6, 0, &p) {
		t.Fatal("atomic fragment rejected")
	}
	if p.Fragment || p.DstPort != 6000 || len(p.Payload) != 40 {
		t.Errorf("atomic fragment: Fragment=%v port %d payload %d bytes, want a whole packet", p.Fragment, p.DstPort, len(p.Payload))
	}
	if got := d.Stats().Reassembled; got != 1 {
		t.Errorf("Reassembled = %d, want 1", got)
	}
}
