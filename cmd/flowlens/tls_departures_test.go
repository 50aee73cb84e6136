package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// departureRisks are the TLS risks where flowlens follows the RFCs and
// nDPI does not, so their agreement with nDPI is checked flow by flow.
var departureRisks = []string{"tls_obsolete_version", "tls_weak_cipher"}

// departureFlow is the part of a flow record that the departure check
// reads, in the product's output and in nDPI's truth alike.
type departureFlow struct {
	PCAP       string   `json:"pcap"`
	L4         string   `json:"l4"`
	VLAN       int      `json:"vlan"`
	ClientIP   string   `json:"client_ip"`
	ClientPort int      `json:"client_port"`
	ServerIP   string   `json:"server_ip"`
	ServerPort int      `json:"server_port"`
	Risks      []string `json:"risks"`
	TLS        *struct {
		Version string `json:"version"`
		Cipher  string `json:"cipher"`
	} `json:"tls"`
}

// key identifies a flow regardless of its direction.
func (f departureFlow) key() string {
	a := endpointString(f.ClientIP, f.ClientPort)
	b := endpointString(f.ServerIP, f.ServerPort)
	if a > b {
		a, b = b, a
	}
	return fmt.Sprintf("%s %s %d %s %s", f.PCAP, strings.ToUpper(f.L4), f.VLAN, a, b)
}

func endpointString(ip string, port int) string {
	if a, err := netip.ParseAddr(ip); err == nil {
		ip = a.Unmap().String()
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

func (f departureFlow) version() string {
	if f.TLS == nil {
		return ""
	}
	return f.TLS.Version
}

// departure names the documented reason why flowlens raises risk on
// product where nDPI does not on truth, or returns "" when the difference
// is none of them:
//   - RFC 7465 forbids RC4 cipher suites, which nDPI rates insecure but
//     does not report as weak.
//   - RFC 8996 deprecates DTLS 1.0, which nDPI does not report.
//   - flowlens reports the version the server negotiated, while nDPI
//     reports the client's offered version when a TLS 1.2 client meets a
//     TLS 1.0 or 1.1 server.
func departure(risk string, product, truth departureFlow) string {
	if !slices.Contains(product.Risks, risk) || slices.Contains(truth.Risks, risk) {
		return ""
	}
	switch risk {
	case "tls_weak_cipher":
		if product.TLS != nil && strings.Contains(product.TLS.Cipher, "_RC4_") {
			return "RC4 suite, forbidden by RFC 7465"
		}
	case "tls_obsolete_version":
		if product.version() == "DTLSv1.0" {
			return "DTLS 1.0, deprecated by RFC 8996"
		}
		negotiated := product.TLS != nil && product.TLS.Cipher != ""
		old := product.version() == "TLSv1" || product.version() == "TLSv1.1"
		offered := truth.version() == "TLSv1.2" || truth.version() == "TLSv1.3"
		if negotiated && old && offered {
			return "server negotiated " + product.version() + ", nDPI reports the offered " + truth.version()
		}
	}
	return ""
}

// TestTLSRiskDepartures lists every flow of the nDPI corpus where flowlens
// and nDPI disagree on tls_obsolete_version or tls_weak_cipher, and fails
// on each difference that is not a documented departure.
func TestTLSRiskDepartures(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole corpus; skipped with -short")
	}
	corpus := filepath.Join(corpusDir(t), "ndpi")
	truth := readDepartureFlows(t, filepath.Join(corpus, "truth.jsonl"), "")
	product := analyzeCorpus(t, buildBinary(t), corpus)

	reasons := map[string]int{}
	for _, k := range sortedKeys(truth) {
		tf := truth[k]
		pf, ok := product[k]
		if !ok {
			continue
		}
		for _, risk := range departureRisks {
			if slices.Contains(tf.Risks, risk) == slices.Contains(pf.Risks, risk) {
				continue
			}
			reason := departure(risk, pf, tf)
			if reason == "" {
				t.Errorf("%s: %s differs from nDPI (flowlens %v, nDPI %v; version %q vs %q)",
					k, risk, pf.Risks, tf.Risks, pf.version(), tf.version())
				continue
			}
			reasons[risk+": "+reason]++
			t.Logf("%s: %s: %s", k, risk, reason)
		}
	}
	if len(reasons) == 0 {
		t.Error("no departure found: the corpus or the risks changed, so this check no longer tests anything")
	}
	for r, n := range reasons {
		t.Logf("%d flows: %s", n, r)
	}
}

// readDepartureFlows reads a JSON Lines file of flow records, naming each
// flow's capture pcap unless the record carries its own.
func readDepartureFlows(t *testing.T, path, pcap string) map[string]departureFlow {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flows, err := parseDepartureFlows(b, pcap)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return flows
}

func parseDepartureFlows(b []byte, pcap string) (map[string]departureFlow, error) {
	flows := map[string]departureFlow{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		var f departureFlow
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return nil, fmt.Errorf("flow record %q: %w", sc.Text(), err)
		}
		if pcap != "" {
			f.PCAP = pcap
		}
		if _, dup := flows[f.key()]; !dup {
			flows[f.key()] = f
		}
	}
	return flows, sc.Err()
}

// analyzeCorpus runs flowlens analyze on every capture of the corpus, two
// at a time, and returns the flows of all of them.
func analyzeCorpus(t *testing.T, bin, corpus string) map[string]departureFlow {
	t.Helper()
	pcaps, err := os.ReadDir(filepath.Join(corpus, "pcap"))
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	flows := map[string]departureFlow{}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range jobs {
				got, err := analyzeCorpusCapture(bin, corpus, name)
				if err != nil {
					t.Errorf("analyze %s: %v", name, err)
					continue
				}
				mu.Lock()
				maps.Copy(flows, got)
				mu.Unlock()
			}
		}()
	}

	for _, p := range pcaps {
		jobs <- p.Name()
	}
	close(jobs)
	wg.Wait()
	return flows
}

// analyzeCorpusCapture returns the flows that flowlens analyze prints for one
// capture of the corpus.
func analyzeCorpusCapture(bin, corpus, name string) (map[string]departureFlow, error) {
	out, err := exec.Command(bin, "analyze", "--rules", filepath.Join(corpus, "config"),
		"-r", filepath.Join(corpus, "pcap", name)).Output()
	if err != nil {
		return nil, err
	}
	return parseDepartureFlows(out, name)
}

func sortedKeys(m map[string]departureFlow) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
