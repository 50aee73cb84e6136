package decode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/flowlens/flowlens/capture"
)

// BenchmarkDecode decodes the frames of test captures preloaded in
// memory, one frame per iteration.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"discord_mid_flow.pcap", "vxlan_head.pcap", "dns_fragmented.pcap"} {
		b.Run(strings.TrimSuffix(name, filepath.Ext(name)), func(b *testing.B) {
			frames := readFrames(b, name)
			d := New(Config{})
			var p Packet
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				f := frames[i%len(frames)]
				d.Decode(f.data, f.link, f.ts, &p)
			}
		})
	}
}

// TestDecodeTCPDoesNotAllocate checks the hot path: an ordinary TCP frame
// decodes without allocating.
func TestDecodeTCPDoesNotAllocate(t *testing.T) {
	frame := build(t, ether(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP, innerSrc4, innerDst4), tcp(40000, 443))
	d := New(Config{})
	var p Packet
	allocs := testing.AllocsPerRun(100, func() {
		if !d.Decode(frame, capture.LinkTypeEthernet, 0, &p) {
			t.Fatal("rejected")
		}
	})
	if allocs != 0 {
		t.Errorf("Decode allocates %.1f times per TCP frame, want 0", allocs)
	}
}

// FuzzDecode decodes arbitrary bytes under every link type. Seeds are the
// frames of the test captures.
func FuzzDecode(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if ext != ".pcap" && ext != ".pcapng" {
			continue
		}
		for _, fr := range readFrames(f, e.Name()) {
			f.Add(uint16(fr.link), fr.data)
		}
	}
	d := New(Config{MaxFragmentDatagrams: 4, MaxFragmentBytes: 8 << 10})
	f.Fuzz(func(t *testing.T, link uint16, data []byte) {
		var p Packet
		if !d.Decode(data, capture.LinkType(link), 0, &p) {
			return
		}
		if p.IPVersion != 4 && p.IPVersion != 6 {
			t.Errorf("decoded with IP version %d", p.IPVersion)
		}
		if !p.Src.IsValid() || !p.Dst.IsValid() {
			t.Errorf("decoded without addresses: %s > %s", p.Src, p.Dst)
		}
	})
}
