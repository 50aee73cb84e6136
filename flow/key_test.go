package flow

import (
	"net/netip"
	"testing"

	"github.com/flowlens/flowlens/decode"
)

// TestKeyHashSpread checks that keys differing in one field only still
// spread evenly over workers, since the pipeline picks a worker by the
// hash modulo the worker count.
func TestKeyHashSpread(t *testing.T) {
	const keys = 40000
	vary := map[string]func(i int) *decode.Packet{
		"client port": func(i int) *decode.Packet {
			return pkt(decode.ProtoTCP, clientAddr, uint16(1024+i), serverAddr, 443, 0)
		},
		"client address": func(i int) *decode.Packet {
			a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
			return pkt(decode.ProtoUDP, a.String(), 5353, serverAddr, 53, 0)
		},
		"vlan": func(i int) *decode.Packet {
			p := pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 80, 0)
			p.VLAN = uint16(i % 4096)
			p.SrcPort = uint16(40000 + i/4096)
			return p
		},
	}
	for name, gen := range vary {
		for _, workers := range []uint64{2, 3, 8} {
			counts := make([]int, workers)
			for i := 0; i < keys; i++ {
				k, _ := KeyOf(gen(i))
				counts[k.Hash()%workers]++
			}
			want := keys / int(workers)
			for w, n := range counts {
				if n < want*9/10 || n > want*11/10 {
					t.Errorf("%s, %d workers: worker %d got %d keys, want %d within 10%%", name, workers, w, n, want)
				}
			}
		}
	}
}

func BenchmarkKeyHash(b *testing.B) {
	k, _ := KeyOf(pkt(decode.ProtoTCP, clientAddr, 40000, serverAddr, 443, 0))
	b.ReportAllocs()
	var sum uint64
	for i := 0; b.Loop(); i++ {
		k.LoPort = uint16(i)
		sum += k.Hash()
	}
	if sum == 0 {
		b.Log("zero sum")
	}
}

func TestKeyAddressesRoundTrip(t *testing.T) {
	tests := []struct{ lo, hi string }{
		{"10.0.0.1", "10.0.0.2"},
		{"2001:db8::1", "2001:db8::2"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.2"},
	}
	for _, tt := range tests {
		p := pkt(decode.ProtoUDP, tt.hi, 53, tt.lo, 5353, 0)
		k, _ := KeyOf(p)
		if got := k.LoAddr().String(); got != tt.lo {
			t.Errorf("LoAddr() = %s, want %s", got, tt.lo)
		}
		if got := k.HiAddr().String(); got != tt.hi {
			t.Errorf("HiAddr() = %s, want %s", got, tt.hi)
		}
	}
}

func TestKeyMappedIPv6DiffersFromIPv4(t *testing.T) {
	v4, _ := KeyOf(pkt(decode.ProtoTCP, "10.0.0.1", 40000, "10.0.0.2", 80, 0))
	mapped, _ := KeyOf(pkt(decode.ProtoTCP, "::ffff:10.0.0.1", 40000, "::ffff:10.0.0.2", 80, 0))
	if v4 == mapped {
		t.Errorf("IPv4 and IPv4-mapped IPv6 flows share the key %+v", v4)
	}
}
