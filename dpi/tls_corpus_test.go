package dpi

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/record"
)

// tlsTruth is the part of a truth.jsonl line the TLS comparison reads.
type tlsTruth struct {
	PCAP       string      `json:"pcap"`
	L4         string      `json:"l4"`
	ClientIP   string      `json:"client_ip"`
	ClientPort uint16      `json:"client_port"`
	ServerIP   string      `json:"server_ip"`
	ServerPort uint16      `json:"server_port"`
	Master     string      `json:"master_protocol"`
	TLS        *record.TLS `json:"tls"`
}

// tlsFields lists the compared fields and how to print each.
var tlsFields = []struct {
	name string
	get  func(*record.TLS) string
}{
	{"version", func(t *record.TLS) string { return t.Version }},
	{"client_versions", func(t *record.TLS) string { return strings.Join(t.ClientVersions, ";") }},
	{"sni", func(t *record.TLS) string { return t.SNI }},
	{"alpn", func(t *record.TLS) string { return strings.Join(t.ALPN, ";") }},
	{"negotiated_alpn", func(t *record.TLS) string { return t.NegotiatedALPN }},
	{"cipher", func(t *record.TLS) string { return t.Cipher }},
	{"ja3", func(t *record.TLS) string { return t.JA3 }},
	{"ja3s", func(t *record.TLS) string { return t.JA3S }},
	{"ja4", func(t *record.TLS) string { return t.JA4 }},
	{"ja4.cipher_hash", func(t *record.TLS) string { return ja4Part(t.JA4, 1) }},
	{"cert.subject", func(t *record.TLS) string { return certField(t, func(c *record.Cert) string { return c.Subject }) }},
	{"cert.issuer", func(t *record.TLS) string { return certField(t, func(c *record.Cert) string { return c.Issuer }) }},
	{"cert.sha1", func(t *record.TLS) string { return certField(t, func(c *record.Cert) string { return c.SHA1 }) }},
	{"cert.not_before", func(t *record.TLS) string {
		return certField(t, func(c *record.Cert) string { return formatCertTime(c.NotBefore.String(), c) })
	}},
	{"cert.not_after", func(t *record.TLS) string {
		return certField(t, func(c *record.Cert) string { return formatCertTime(c.NotAfter.String(), c) })
	}},
	{"cert.san", func(t *record.TLS) string {
		return certField(t, func(c *record.Cert) string { return strings.Join(c.SAN, ";") })
	}},
}

func ja4Part(ja4 string, i int) string {
	parts := strings.Split(ja4, "_")
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

func certField(t *record.TLS, get func(*record.Cert) string) string {
	if t.Cert == nil {
		return ""
	}
	return get(t.Cert)
}

func formatCertTime(s string, _ *record.Cert) string {
	if strings.HasPrefix(s, "0001-01-01") {
		return ""
	}
	return s
}

// TestTLSCorpus replays every capture of nDPI's corpus through the TLS and
// DTLS dissectors and reports, per field, how often the result agrees with
// nDPI's. It runs only with -corpus DIR.
func TestTLSCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("comparison with nDPI's corpus needs -corpus DIR")
	}
	truth := readTLSTruth(t, filepath.Join(*corpusDir, "truth.jsonl"))
	byPCAP := map[string][]tlsTruth{}
	for _, tf := range truth {
		if tf.TLS != nil && tf.Master != "QUIC" {
			byPCAP[tf.PCAP] = append(byPCAP[tf.PCAP], tf)
		}
	}

	agree, total := map[string]int{}, map[string]int{}
	var misses []string
	for _, name := range sortedKeys(byPCAP) {
		packets, err := readCapture(filepath.Join(*corpusDir, "pcap", name))
		if err != nil {
			t.Errorf("read %s: %v", name, err)
			continue
		}
		flows := replayCapture(packets)
		for _, tf := range byPCAP[name] {
			got := &record.TLS{}
			if rf := flows[truthKey(tf)]; rf != nil && rf.flow.TLS != nil {
				got = rf.flow.TLS
			}
			want := tf.TLS
			if want.Cert != nil {
				// truth times are RFC 3339 in UTC; compare in one format
				want.Cert.NotBefore, want.Cert.NotAfter = want.Cert.NotBefore.UTC(), want.Cert.NotAfter.UTC()
			}
			for _, fld := range tlsFields {
				w := fld.get(want)
				if w == "" {
					continue
				}
				total[fld.name]++
				if g := fld.get(got); g == w {
					agree[fld.name]++
				} else {
					misses = append(misses, fmt.Sprintf("%s %s %s:%d: %s: want %q, got %q", name, tf.Master, tf.ClientIP, tf.ClientPort, fld.name, w, g))
				}
			}
		}
	}
	for _, fld := range tlsFields {
		if total[fld.name] > 0 {
			t.Logf("%-16s %4d/%4d  %.1f%%", fld.name, agree[fld.name], total[fld.name], 100*float64(agree[fld.name])/float64(total[fld.name]))
		}
	}
	if out := os.Getenv("TLS_CORPUS_MISSES"); out != "" {
		if err := os.WriteFile(out, []byte(strings.Join(misses, "\n")+"\n"), 0o644); err != nil {
			t.Error(err)
		}
	}
}

func readTLSTruth(t *testing.T, path string) []tlsTruth {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tlsTruth
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var tf tlsTruth
		if err := json.Unmarshal(sc.Bytes(), &tf); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, tf)
	}
	return out
}

func truthKey(tf tlsTruth) replayKey {
	proto := uint8(6)
	if tf.L4 == "UDP" {
		proto = 17
	}
	c := netip.AddrPortFrom(netip.MustParseAddr(tf.ClientIP), tf.ClientPort)
	s := netip.AddrPortFrom(netip.MustParseAddr(tf.ServerIP), tf.ServerPort)
	return keyOf(replayPacket{src: c, dst: s, proto: proto})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var extractFlow = flag.String("extract", "", "with -corpus, write the streams of flow PCAP:CLIENTPORT to testdata/tls/NAME.* (NAME is the capture's base name)")

// TestExtractTLSTestdata writes one corpus flow's handshake bytes and its
// truth line as testdata for the golden tests. TCP streams are written
// whole per direction; DTLS datagrams are framed as direction byte,
// 16-bit length, payload.
func TestExtractTLSTestdata(t *testing.T) {
	if *corpusDir == "" || *extractFlow == "" {
		t.Skip("extraction needs -corpus DIR -extract PCAP:CLIENTPORT")
	}
	pcap, port, _ := strings.Cut(*extractFlow, ":")
	packets, err := readCapture(filepath.Join(*corpusDir, "pcap", pcap))
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join("testdata", "tls", strings.TrimSuffix(pcap, filepath.Ext(pcap)))
	var dgrams []byte
	for _, rf := range replayCapture(packets) {
		if fmt.Sprint(rf.client.Port()) != port && fmt.Sprint(rf.flow.Server.Port()) != port {
			continue
		}
		if rf.flow.Protocol == 6 {
			writeFile(t, base+".c2s.bin", rf.flow.Stream(ClientToServer))
			writeFile(t, base+".s2c.bin", rf.flow.Stream(ServerToClient))
		}
	}
	for _, p := range packets {
		if p.proto == 17 && (fmt.Sprint(p.src.Port()) == port || fmt.Sprint(p.dst.Port()) == port) && len(dgrams) < 64<<10 {
			dir := byte(0)
			if fmt.Sprint(p.dst.Port()) == port {
				dir = 1
			}
			dgrams = append(dgrams, dir, byte(len(p.payload)>>8), byte(len(p.payload)))
			dgrams = append(dgrams, p.payload...)
		}
	}
	if len(dgrams) > 0 {
		writeFile(t, base+".dgrams.bin", dgrams)
	}
	for _, line := range readTruthLines(t, filepath.Join(*corpusDir, "truth.jsonl")) {
		if strings.Contains(line, `"pcap":"`+pcap+`"`) && strings.Contains(line, `"client_port":`+port+`,`) {
			writeFile(t, base+".truth.json", []byte(line+"\n"))
		}
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readTruthLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "\n")
}
