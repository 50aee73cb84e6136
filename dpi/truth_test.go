package dpi

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// catalogTruth is one line of testdata/truth_flows.tsv: nDPI's result for a
// flow of its own test captures.
type catalogTruth struct {
	pcap, l4                 string
	clientPort, serverPort   uint16
	serverIP                 string
	master, app              string
	category, breed          string
	confidence, info, ipProt string
}

func loadTruth(t *testing.T) []catalogTruth {
	t.Helper()
	f, err := os.Open("testdata/truth_flows.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []catalogTruth
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 12 {
			t.Fatalf("truth_flows.tsv: %d fields in %q", len(c), line)
		}
		cp, _ := strconv.ParseUint(c[2], 10, 16)
		sp, _ := strconv.ParseUint(c[3], 10, 16)
		out = append(out, catalogTruth{c[0], c[1], uint16(cp), uint16(sp), c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// agreement counts matches and keeps a few misses for the log.
type agreement struct {
	ok, total int
	misses    map[string]int
}

func (a *agreement) add(ok bool, miss string) {
	a.total++
	if ok {
		a.ok++
		return
	}
	if a.misses == nil {
		a.misses = map[string]int{}
	}
	a.misses[miss]++
}

func (a *agreement) pct() float64 {
	if a.total == 0 {
		return 0
	}
	return 100 * float64(a.ok) / float64(a.total)
}

// report logs the figure and the misses, and fails below min percent.
func (a *agreement) report(t *testing.T, what string, min float64) {
	t.Helper()
	t.Logf("%s: %d/%d agree (%.1f%%)", what, a.ok, a.total, a.pct())
	for m, n := range a.misses {
		t.Logf("  miss x%d: %s", n, m)
	}
	if a.pct() < min {
		t.Errorf("%s: agreement %.1f%% below %.1f%%", what, a.pct(), min)
	}
}
