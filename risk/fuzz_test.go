package risk

import (
	"bytes"
	"os"
	"testing"
	"time"
)

func FuzzParseBlocklists(f *testing.F) {
	for _, name := range []string{"testdata/ja3_blocklist.csv", "testdata/ndpi_rules/ja3_fingerprints.csv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("198.51.100.0/24\n203.0.113.7 # host\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = parseFingerprintCSV(bytes.NewReader(b), 0, map[string]string{})
		_ = parseFingerprintCSV(bytes.NewReader(b), 1, map[string]string{})
		var ips ipSet
		_ = parseIPList(bytes.NewReader(b), "fuzz", &ips)
	})
}

func BenchmarkEvaluate(b *testing.B) {
	flows := loadTruthFlows(b)
	e := newTruthEvaluator(b)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := flows[i%len(flows)].Flow
		f.Risks = nil
		e.Evaluate(&f, at)
	}
}

func FuzzURLInjection(f *testing.F) {
	b, err := os.ReadFile("testdata/url_targets.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		f.Add(string(line))
	}
	f.Fuzz(func(t *testing.T, target string) {
		risk, description := urlInjection(target)
		if (risk == "") != (description == "") {
			t.Errorf("urlInjection(%q) = %q, %q", target, risk, description)
		}
	})
}
