package dpi

import (
	"path/filepath"
	"testing"
)

// benchmarkCase replays one testdata flow through a dissector per
// iteration, so the figures include the per-flow record allocations.
func benchmarkCase(b *testing.B, dir string, d Dissector) {
	cf := loadCase(b, filepath.Join("testdata", dir))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		replay(cf, []Dissector{d})
	}
}

func BenchmarkDNS(b *testing.B)  { benchmarkCase(b, "dns/aaaa", DNS{}) }
func BenchmarkHTTP(b *testing.B) { benchmarkCase(b, "http/first-of-many", HTTP{}) }
func BenchmarkSSH(b *testing.B)  { benchmarkCase(b, "ssh/port-8000", SSH{}) }
func BenchmarkDHCP(b *testing.B) { benchmarkCase(b, "dhcp/msft", DHCP{}) }
