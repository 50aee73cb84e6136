package risk

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/record"
)

var update = flag.Bool("update", false, "rewrite testdata/capture_times.tsv from the corpus captures")

// truthFlow is one line of testdata/truth.jsonl.gz: a flow record with
// nDPI's risks, plus the capture it came from.
type truthFlow struct {
	record.Flow
	PCAP string `json:"pcap"`
}

func loadTruthFlows(t testing.TB) []truthFlow {
	t.Helper()
	f, err := os.Open("testdata/truth.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []truthFlow
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var tf truthFlow
		if err := json.Unmarshal(sc.Bytes(), &tf.Flow); err != nil {
			t.Fatalf("truth line %d: %v", len(out)+1, err)
		}
		var p struct {
			PCAP string `json:"pcap"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		tf.PCAP = p.PCAP
		out = append(out, tf)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// catalogPorts reads the dpi package's application catalogue for the
// standard ports, as the integrated pipeline will pass them.
func catalogPorts(t testing.TB) PortLookup {
	t.Helper()
	f, err := os.Open("../dpi/data/protocols.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	table := map[string][2][]uint16{}
	for _, rec := range recs[1:] {
		table[rec[0]] = [2][]uint16{parsePorts(rec[4]), parsePorts(rec[5])}
	}
	return func(name string) ([]uint16, []uint16, bool) {
		p, ok := table[name]
		return p[0], p[1], ok
	}
}

func parsePorts(s string) []uint16 {
	var out []uint16
	for _, f := range strings.Fields(s) {
		n, _ := strconv.ParseUint(f, 10, 16)
		out = append(out, uint16(n))
	}
	return out
}

// captureTimes returns the time of the first packet of each corpus
// capture; truth records carry no times, and certificate validity must be
// judged at capture time.
func captureTimes(t testing.TB) map[string]time.Time {
	t.Helper()
	const path = "testdata/capture_times.tsv"
	if *update {
		writeCaptureTimes(t, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, ts, _ := strings.Cut(line, "\t")
		at, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out[name] = at
	}
	return out
}

func corpusDir() string {
	if d := os.Getenv("FLOWLENS_CORPUS"); d != "" {
		return d
	}
	// The shared folder lies beside the repository's checkout.
	return filepath.Join("..", "..", "shared", "corpus")
}

func writeCaptureTimes(t testing.TB, path string) {
	dir := filepath.Join(corpusDir(), "ndpi", "pcap")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		at, err := firstPacketTime(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Logf("%s: %v", e.Name(), err)
			continue
		}
		fmt.Fprintf(&b, "%s\t%s\n", e.Name(), at.UTC().Format(time.RFC3339Nano))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// firstPacketTime reads the timestamp of the first packet of a pcap file
// or the first Enhanced Packet Block of a pcapng file (assuming the
// default microsecond resolution).
func firstPacketTime(path string) (time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}, err
	}
	if len(b) < 24 {
		return time.Time{}, io.ErrUnexpectedEOF
	}
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		return pcapTime(b, binary.LittleEndian, b[0] == 0x4d)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		return pcapTime(b, binary.BigEndian, b[3] == 0x4d)
	case 0x0a0d0d0a:
		return pcapngTime(b)
	}
	return time.Time{}, fmt.Errorf("not a pcap or pcapng file")
}

func pcapTime(b []byte, order binary.ByteOrder, nano bool) (time.Time, error) {
	if len(b) < 32 {
		return time.Time{}, io.ErrUnexpectedEOF
	}
	sec, frac := int64(order.Uint32(b[24:])), int64(order.Uint32(b[28:]))
	if !nano {
		frac *= 1000
	}
	return time.Unix(sec, frac), nil
}

func pcapngTime(b []byte) (time.Time, error) {
	order := binary.ByteOrder(binary.LittleEndian)
	if len(b) >= 12 && binary.BigEndian.Uint32(b[8:]) == 0x1a2b3c4d {
		order = binary.BigEndian
	}
	unit := time.Microsecond
	for off := 0; off+28 <= len(b); {
		typ, size := order.Uint32(b[off:]), int(order.Uint32(b[off+4:]))
		if size < 12 || off+size > len(b) {
			break
		}
		switch typ {
		case 1:
			unit = interfaceResolution(b[off+16:off+size-4], order)
		case 6:
			ts := uint64(order.Uint32(b[off+12:]))<<32 | uint64(order.Uint32(b[off+16:]))
			return time.Unix(0, 0).Add(time.Duration(ts) * unit), nil
		}
		off += size
	}
	return time.Time{}, fmt.Errorf("no enhanced packet block")
}

// interfaceResolution reads the if_tsresol option (code 9) of an
// Interface Description Block's options.
func interfaceResolution(opts []byte, order binary.ByteOrder) time.Duration {
	for len(opts) >= 4 {
		code, n := order.Uint16(opts), int(order.Uint16(opts[2:]))
		if code == 0 || 4+n > len(opts) {
			break
		}
		if code == 9 && n >= 1 && opts[4]&0x80 == 0 {
			d := time.Second
			for i := 0; i < int(opts[4]); i++ {
				d /= 10
			}
			return d
		}
		opts = opts[4+(n+3)&^3:]
	}
	return time.Microsecond
}

// newTruthEvaluator builds an Evaluator with the rule files nDPI was run
// with for its regression results.
func newTruthEvaluator(t testing.TB) *Evaluator {
	t.Helper()
	rules, err := dpi.LoadRules("testdata/ndpi_rules", nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), DefaultConfig(), Dependencies{Rules: rules, Ports: catalogPorts(t)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

type riskTally struct{ tp, fp, fn int }

func (r riskTally) precision() float64 { return ratio(r.tp, r.tp+r.fp) }
func (r riskTally) recall() float64    { return ratio(r.tp, r.tp+r.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// packetOnly are the risks only the packets show; the record cannot tell
// them, so the comparison hands nDPI's answer for them to Evaluate as a
// dissector would.
var packetOnly = map[string]bool{
	"malformed_packet": true, "tcp_issues": true, "suspicious_entropy": true,
	"binary_data_transfer": true, "dns_large_packet": true, "dns_fragmented": true,
	"invalid_characters": true, "http_suspicious_header": true, "possible_exploit": true,
	"minor_issues": true, "fully_encrypted": true, "suspicious_dga_domain": true,
	"ssh_obsolete_server_version_or_cipher": true, "ssh_obsolete_client_version_or_cipher": true,
	"binary_application_transfer": true, "smb_insecure_version": true, "tls_uncommon_alpn": true,
	"tls_fatal_alert": true, "http_suspicious_content": true, "tls_suspicious_extension": true,
	"tls_suspicious_esni_usage": true, "anonymous_subscriber": true, "obfuscated_traffic": true,
	"http_crawler_bot": true, "malware_host_contacted": true,
}

// compareTruth runs Evaluate on every truth record and tallies its risks
// against nDPI's.
func compareTruth(t *testing.T) (map[string]*riskTally, int, int) {
	flows := loadTruthFlows(t)
	times := captureTimes(t)
	e := newTruthEvaluator(t)
	tally := map[string]*riskTally{}
	get := func(n string) *riskTally {
		if tally[n] == nil {
			tally[n] = &riskTally{}
		}
		return tally[n]
	}
	exact := 0
	for i := range flows {
		want := append([]string(nil), flows[i].Risks...)
		f := flows[i].Flow
		f.Risks = nil
		for _, n := range want {
			if packetOnly[n] {
				f.Risks = append(f.Risks, n)
			}
		}
		e.Evaluate(&f, times[flows[i].PCAP])
		got := map[string]bool{}
		for _, n := range f.Risks {
			got[n] = true
		}
		wantSet := map[string]bool{}
		for _, n := range want {
			wantSet[n] = true
			if got[n] {
				get(n).tp++
			} else {
				get(n).fn++
			}
		}
		for n := range got {
			if !wantSet[n] {
				get(n).fp++
			}
		}
		if debug := os.Getenv("RISK_TRUTH_DEBUG"); debug != "" && got[debug] != wantSet[debug] {
			t.Logf("%s %s: got %v want %v (%s)", flows[i].PCAP, f.App, f.Risks, want, describeForDebug(&f))
		}
		if strings.Join(f.Risks, ",") == strings.Join(want, ",") {
			exact++
			if f.RiskScore != flows[i].RiskScore {
				t.Errorf("%s line %d: risk score %d, nDPI %d", flows[i].PCAP, i+1, f.RiskScore, flows[i].RiskScore)
			}
		}
	}
	return tally, exact, len(flows)
}

// truthFloors are the precision and recall this package reaches against
// nDPI for the risks it judges from records; a change that does worse
// fails. Each is a little under the measured value.
var truthFloors = map[string][2]float64{
	"unidirectional_traffic":              {0.99, 0.99},
	"known_protocol_on_non_standard_port": {0.99, 0.98},
	"numeric_ip_host":                     {0.99, 0.99},
	"unsafe_protocol":                     {0.99, 0.99},
	"malicious_fingerprint":               {0.99, 0.99},
	"tls_not_carrying_https":              {0.93, 0.99},
	"tls_weak_cipher":                     {0.84, 0.99},
	"http_suspicious_user_agent":          {0.99, 0.91},
	"tls_obsolete_version":                {0.96, 0.99},
	"url_possible_rce_injection":          {0.99, 0.99},
	"url_possible_sql_injection":          {0.99, 0.99},
	"tls_missing_sni":                     {0.71, 0.94},
	"error_code_detected":                 {0.99, 0.93},
	"http_suspicious_url":                 {0.99, 0.99},
	"tls_cert_validity_too_long":          {0.99, 0.99},
	"tls_certificate_mismatch":            {0.87, 0.99},
}

func TestTruthAgreement(t *testing.T) {
	tally, exact, total := compareTruth(t)
	names := make([]string, 0, len(tally))
	for n := range tally {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := tally[n]
		mark := ""
		if packetOnly[n] {
			mark = " (from packets)"
		}
		t.Logf("%-40s tp %5d fp %4d fn %4d precision %5.1f%% recall %5.1f%%%s",
			n, r.tp, r.fp, r.fn, 100*r.precision(), 100*r.recall(), mark)
	}
	share := float64(exact) / float64(total)
	t.Logf("exact risk set on %d of %d flows (%.1f%%)", exact, total, 100*share)
	for n, floor := range truthFloors {
		r := tally[n]
		if r == nil {
			t.Errorf("%s: no flows", n)
			continue
		}
		if r.precision() < floor[0] {
			t.Errorf("%s: precision %.3f, floor %.3f", n, r.precision(), floor[0])
		}
		if r.recall() < floor[1] {
			t.Errorf("%s: recall %.3f, floor %.3f", n, r.recall(), floor[1])
		}
	}
	if share < exactFloor {
		t.Errorf("exact risk set on %.3f of flows, floor %.3f", share, exactFloor)
	}
}

const exactFloor = 0.965

func describeForDebug(f *record.Flow) string {
	b, _ := json.Marshal(struct {
		TLS  *record.TLS
		HTTP *record.HTTP
		Port uint16
	}{f.TLS, f.HTTP, f.ServerPort})
	return string(b)
}
