package dpi

import (
	"bufio"
	"log/slog"
	"net/netip"
	"os"
	"testing"
)

func BenchmarkMatchHost(b *testing.B) {
	hosts := []string{"r4---sn-h0jeen7y.googlevideo.com", "WWW.EXAMPLE.ORG", "scontent.xx.fbcdn.net", "alt1-mtalk.google.com"}
	matchHost(hosts[0]) // load the table outside the timing
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		matchHost(hosts[i%len(hosts)])
	}
}

func BenchmarkMatchIP(b *testing.B) {
	addrs := []netip.Addr{netip.MustParseAddr("142.250.180.14"), netip.MustParseAddr("192.0.2.1"),
		netip.MustParseAddr("2606:4700::6810:84e5")}
	matchIP(addrs[0])
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		matchIP(addrs[i%len(addrs)])
	}
}

// FuzzMatchHost checks that any name is looked up without a panic and
// that ASCII case does not change the result.
func FuzzMatchHost(f *testing.F) {
	for _, s := range []string{"www.youtube.com", "fbcdn-x.net", "-mtalk.google.com", ".", "a..b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		a, ok := matchHost(name)
		if ok && a == "" {
			t.Errorf("matchHost(%q) matched an empty application", name)
		}
		upper := []byte(name)
		for i, c := range upper {
			if 'a' <= c && c <= 'z' {
				upper[i] = c - ('a' - 'A')
			}
		}
		if b, okUpper := matchHost(string(upper)); b != a || okUpper != ok {
			t.Errorf("matchHost(%q) = %q, %v but matchHost(%q) = %q, %v", name, a, ok, upper, b, okUpper)
		}
	})
}

// FuzzProtosLine feeds protos.txt lines to the rule parser, seeded with
// nDPI's own protos.txt.
func FuzzProtosLine(f *testing.F) {
	fh, err := os.Open("testdata/rules/protos.txt")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		f.Add(sc.Text())
	}
	fh.Close()
	f.Fuzz(func(t *testing.T, line string) {
		ld := &loader{log: slog.New(slog.DiscardHandler), r: &Rules{ports: map[portKey]string{},
			trustedDNs: map[string]bool{}}, hostRules: newHostTable(), catHosts: newHostTable(), hostMasks: newHostTable()}
		_ = ld.protosLine(line)
		ld.build()
	})
}
