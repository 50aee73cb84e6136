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

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
	"github.com/flowlens/flowlens/record"
)

var corpusDir = flag.String("corpus", "", "directory of nDPI's reference corpus (pcap/ and truth.jsonl); "+
	"TestCorpusAgreement measures the DNS, HTTP, SSH and DHCP dissectors against it")

// corpusVerbose lists every disagreement instead of the first few per field.
var corpusVerbose = flag.Bool("corpus.all", false, "list every disagreement of TestCorpusAgreement")

// l7Dissectors are the dissectors this file measures, in the order the
// test offers them a flow.
var l7Dissectors = []Dissector{DNS{}, HTTP{}, SSH{}, DHCP{}}

// l7Masters are the master protocols those dissectors can name.
var l7Masters = map[string]bool{
	"DNS": true, "MDNS": true, "LLMNR": true, "HTTP": true, "HTTP_Proxy": true,
	"HTTP_Connect": true, "RTSP": true, "SSH": true, "DHCP": true, "DHCPV6": true,
}

// corpusMaxPackets is how many payload packets a flow is offered, as a DPI
// engine stops inspecting a flow after a while.
const corpusMaxPackets = 32

// corpusStreamCap bounds the reassembled bytes per direction.
const corpusStreamCap = 64 << 10

// truthFlow is one line of truth.jsonl, in flow record field names.
type truthFlow struct {
	Pcap       string       `json:"pcap"`
	L4         string       `json:"l4"`
	ClientIP   string       `json:"client_ip"`
	ClientPort uint16       `json:"client_port"`
	ServerIP   string       `json:"server_ip"`
	ServerPort uint16       `json:"server_port"`
	Master     string       `json:"master_protocol"`
	Confidence string       `json:"confidence"`
	Info       string       `json:"info"`
	DNS        *record.DNS  `json:"dns"`
	HTTP       *record.HTTP `json:"http"`
	SSH        *record.SSH  `json:"ssh"`
	DHCP       *record.DHCP `json:"dhcp"`
}

func (t truthFlow) key() string {
	c := netip.AddrPortFrom(netip.MustParseAddr(t.ClientIP), t.ClientPort)
	s := netip.AddrPortFrom(netip.MustParseAddr(t.ServerIP), t.ServerPort)
	return flowKeyString(t.Pcap, t.L4, c, s)
}

func flowKeyString(pcap, l4 string, a, b netip.AddrPort) string {
	if b.Compare(a) < 0 {
		a, b = b, a
	}
	return pcap + " " + l4 + " " + a.String() + " " + b.String()
}

func readTruth(t *testing.T, path string) map[string][]truthFlow {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	truth := map[string][]truthFlow{}
	scanner := bufio.NewScanner(file)
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		var tf truthFlow
		if err := json.Unmarshal(scanner.Bytes(), &tf); err != nil {
			t.Fatalf("truth line %q: %v", scanner.Text(), err)
		}
		if tf.L4 == "TCP" || tf.L4 == "UDP" {
			truth[tf.key()] = append(truth[tf.key()], tf)
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	return truth
}

// replay offers a capture's flow to the dissectors the way the engine
// does: every payload packet, TCP bytes appended to the direction's
// stream first, until one dissector is done or the packet budget is spent.
func replay(cf *pcapflows.Flow, dissectors []Dissector) *Flow {
	f := &Flow{Protocol: ipProtocolUDP, Client: cf.Client, Server: cf.Server}
	if cf.L4 == "TCP" {
		f.Protocol = ipProtocolTCP
	}
	f.inspect().streams[0].fromSYN, f.inspect().streams[1].fromSYN = cf.SYN[0], cf.SYN[1]
	active := append([]Dissector(nil), dissectors...)
	for i, pkt := range cf.Packets {
		if i == corpusMaxPackets || len(active) == 0 {
			break
		}
		p := &Packet{Dir: Direction(pkt.Dir), Payload: pkt.Payload}
		if f.Protocol == ipProtocolTCP {
			s := &f.inspect().streams[p.Dir]
			room := max(0, corpusStreamCap-len(s.buf))
			s.buf = append(s.buf, pkt.Payload[:min(room, len(pkt.Payload))]...)
		}
		f.Packets[p.Dir]++
		active = offer(f, p, active)
	}
	return f
}

// offer runs one packet through the active dissectors and returns the
// ones that stay active.
func offer(f *Flow, p *Packet, active []Dissector) []Dissector {
	kept := active[:0]
	for _, d := range active {
		switch d.Inspect(f, p) {
		case Claimed:
			return []Dissector{d}
		case Done:
			return nil
		case NeedMore:
			kept = append(kept, d)
		}
	}
	return kept
}

// fieldTally counts agreement on one field.
// agreeFold also counts values that differ only in letter case: nDPI
// lowercases host names, the flow record keeps them as sent.
type fieldTally struct {
	total, agree, agreeFold int
	misses                  []string
}

type corpusReport map[string]*fieldTally

func (r corpusReport) check(field, where, want, got string) {
	if want == "" {
		return
	}
	t := r[field]
	if t == nil {
		t = &fieldTally{}
		r[field] = t
	}
	t.total++
	if strings.EqualFold(want, got) {
		t.agreeFold++
	}
	if want == got {
		t.agree++
		return
	}
	t.misses = append(t.misses, fmt.Sprintf("%s: want %q, got %q", where, want, got))
}

func TestCorpusAgreement(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("set -corpus to the directory of nDPI's reference corpus to measure agreement")
	}
	truth := readTruth(t, filepath.Join(*corpusDir, "truth.jsonl"))
	pcaps, err := filepath.Glob(filepath.Join(*corpusDir, "pcap", "*"))
	if err != nil {
		t.Fatal(err)
	}
	report := corpusReport{}
	for _, path := range pcaps {
		flows, err := pcapflows.Read(path)
		if err != nil {
			// pcapflows rejects two corpus captures, fuzz-2021-10-13.pcap
			// and nfsv3.pcap, for their header's minor version. The
			// scorer in cmd/flowlens reads them with the real capture
			// reader.
			t.Logf("read %s: %v", path, err)
			continue
		}
		for _, cf := range flows {
			key := flowKeyString(filepath.Base(path), cf.L4, cf.Client, cf.Server)
			compareFlow(report, key, truth[key], replay(cf, l7Dissectors))
		}
	}
	printReport(t, report)
}

func compareFlow(r corpusReport, where string, truths []truthFlow, f *Flow) {
	if len(truths) == 0 {
		return
	}
	tf := truths[0]
	if !l7Masters[tf.Master] {
		if f.Master != "" {
			r.check("false_claim", where, "(other) "+tf.Master, f.Master)
		}
		return
	}
	if tf.Confidence == "dpi" {
		// Flows nDPI named by port alone are not expected from DPI.
		r.check("master", where, tf.Master, f.Master)
	}
	r.check("info", where, tf.Info, f.Info)
	compareDNS(r, where, tf.DNS, f.DNS)
	compareHTTP(r, where, tf.HTTP, f.HTTP)
	compareSSH(r, where, tf.SSH, f.SSH)
	compareDHCP(r, where, tf.DHCP, f.DHCP)
}

func compareDNS(r corpusReport, where string, want, got *record.DNS) {
	if want == nil {
		return
	}
	if got == nil {
		got = &record.DNS{}
	}
	r.check("dns.query", where, want.Query, got.Query)
	r.check("dns.rcode", where, want.RCode, got.RCode)
	if len(want.Answers) > 0 {
		first := ""
		if len(got.Answers) > 0 {
			first = got.Answers[0]
		}
		r.check("dns.answers[0]", where, want.Answers[0], first)
	}
}

func compareHTTP(r corpusReport, where string, want, got *record.HTTP) {
	if want == nil {
		return
	}
	if got == nil {
		got = &record.HTTP{}
	}
	url := got.URL
	if strings.HasPrefix(url, "/") {
		// nDPI prints the Host header, port included, before the target.
		if prefix, ok := strings.CutSuffix(want.URL, url); ok && sameHostPort(prefix, got.Host) {
			url = want.URL
		}
	}
	r.check("http.host", where, want.Host, got.Host)
	r.check("http.url", where, want.URL, url)
	r.check("http.user_agent", where, want.UserAgent, got.UserAgent)
	r.check("http.status", where, statusText(want.Status), statusText(got.Status))
	r.check("http.content_type", where, want.ContentType, got.ContentType)
	r.check("http.server", where, want.Server, got.Server)
}

func sameHostPort(hostPort, host string) bool {
	if strings.EqualFold(hostPort, host) {
		return true
	}
	rest, ok := strings.CutPrefix(strings.ToLower(hostPort), strings.ToLower(host)+":")
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

func statusText(s int) string {
	if s == 0 {
		return ""
	}
	return fmt.Sprint(s)
}

func compareSSH(r corpusReport, where string, want, got *record.SSH) {
	if want == nil {
		return
	}
	if got == nil {
		got = &record.SSH{}
	}
	r.check("ssh.client_banner", where, want.ClientBanner, got.ClientBanner)
	r.check("ssh.server_banner", where, want.ServerBanner, got.ServerBanner)
	r.check("ssh.hassh", where, want.HASSH, got.HASSH)
	r.check("ssh.hassh_server", where, want.HASSHServer, got.HASSHServer)
}

func compareDHCP(r corpusReport, where string, want, got *record.DHCP) {
	if want == nil {
		return
	}
	if got == nil {
		got = &record.DHCP{}
	}
	r.check("dhcp.hostname", where, want.Hostname, got.Hostname)
	r.check("dhcp.fingerprint", where, want.Fingerprint, got.Fingerprint)
	r.check("dhcp.class_id", where, want.ClassID, got.ClassID)
}

func printReport(t *testing.T, r corpusReport) {
	names := make([]string, 0, len(r))
	for name := range r {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		ft := r[name]
		fmt.Fprintf(&b, "%-20s %5d/%5d %6.2f%%   ignoring case %6.2f%%\n", name, ft.agree, ft.total,
			100*float64(ft.agree)/float64(ft.total), 100*float64(ft.agreeFold)/float64(ft.total))
	}
	for _, name := range names {
		misses := r[name].misses
		if !*corpusVerbose && len(misses) > 8 {
			misses = misses[:8]
		}
		for _, m := range misses {
			fmt.Fprintf(&b, "%s %s\n", name, m)
		}
	}
	t.Log("\n" + b.String())
}

var corpusDump = flag.String("corpus.dump", "", "print the packets of the corpus flows whose key contains this text")

func TestCorpusDump(t *testing.T) {
	if *corpusDir == "" || *corpusDump == "" {
		t.Skip("set -corpus and -corpus.dump to print flows")
	}
	pcaps, _ := filepath.Glob(filepath.Join(*corpusDir, "pcap", "*"))
	for _, path := range pcaps {
		if !strings.Contains(*corpusDump, filepath.Base(path)) {
			continue
		}
		flows, _ := pcapflows.Read(path)
		for _, cf := range flows {
			key := flowKeyString(filepath.Base(path), cf.L4, cf.Client, cf.Server)
			if !strings.Contains(key, strings.SplitN(*corpusDump, " ", 2)[1]) {
				continue
			}
			t.Logf("%s client=%s syn=%v", key, cf.Client, cf.SYN)
			for _, p := range cf.Packets[:min(len(cf.Packets), 40)] {
				t.Logf("dir=%d len=%d %q", p.Dir, len(p.Payload), p.Payload[:min(len(p.Payload), 300)])
			}
		}
	}
}
