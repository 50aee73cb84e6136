package dpi

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
)

// TestMailNetExtract copies corpus flows into testdata/apps. Unlike
// TestCorpusExtract it finds a flow by either endpoint, since a capture's
// first sender is not always nDPI's client. Run it as
// go test ./dpi -run TestMailNetExtract -corpus DIR -corpus.extract 'apps/x/y=PCAP/IP:PORT;...'.
func TestMailNetExtract(t *testing.T) {
	if *corpusDir == "" || *corpusExtract == "" {
		t.Skip("set -corpus and -corpus.extract to copy flows into testdata/apps")
	}
	truth := readTruth(t, filepath.Join(*corpusDir, "truth.jsonl"))
	lines := readMailNetTruthLines(t, filepath.Join(*corpusDir, "truth.jsonl"))
	for _, entry := range strings.Split(*corpusExtract, ";") {
		dest, spec, _ := strings.Cut(entry, "=")
		pcap, endpoint, _ := strings.Cut(spec, "/")
		flows, err := pcapflows.Read(filepath.Join(*corpusDir, "pcap", pcap))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(flows, func(cf *pcapflows.Flow) bool {
			return cf.Client.String() == endpoint || cf.Server.String() == endpoint
		})
		if i < 0 {
			t.Errorf("%s: no flow with endpoint %s", pcap, endpoint)
			continue
		}
		cf := flows[i]
		key := flowKeyString(pcap, cf.L4, cf.Client, cf.Server)
		writeCase(t, filepath.Join("testdata", dest), cf, truth[key])
		// The whole truth line, with the app fields truthFlow leaves out.
		must(t, os.WriteFile(filepath.Join("testdata", dest, "truth.json"), append([]byte(lines[key]), '\n'), 0o644))
	}
}

// readMailNetTruthLines returns the truth lines of TCP and UDP flows by flow key.
func readMailNetTruthLines(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var tf truthFlow
		if err := json.Unmarshal([]byte(line), &tf); err != nil {
			t.Fatalf("truth line %q: %v", line, err)
		}
		if tf.L4 == "TCP" || tf.L4 == "UDP" {
			out[tf.key()] = line
		}
	}
	return out
}

// mailNetCase is one testdata/apps case and nDPI's result for it.
type mailNetCase struct {
	dir   string
	flow  *pcapflows.Flow
	truth appTruth
}

func loadMailNetCases(t *testing.T) []mailNetCase {
	t.Helper()
	metas, _ := filepath.Glob(filepath.Join("testdata", "apps", "*", "*", "flow.txt"))
	if len(metas) == 0 {
		t.Fatal("no testdata/apps cases found")
	}
	var cases []mailNetCase
	for _, meta := range metas {
		dir := filepath.Dir(meta)
		data, err := os.ReadFile(filepath.Join(dir, "truth.json"))
		if err != nil {
			t.Fatal(err)
		}
		c := mailNetCase{dir: dir, flow: loadCase(t, dir)}
		if err := json.Unmarshal(data, &c.truth); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		cases = append(cases, c)
	}
	return cases
}

// TestMailNetCases replays each testdata/apps case through the
// dissectors of this batch and compares the app and info with nDPI's.
func TestMailNetCases(t *testing.T) {
	for _, c := range loadMailNetCases(t) {
		t.Run(strings.TrimPrefix(c.dir, "testdata/apps/"), func(t *testing.T) {
			f := replay(c.flow, mailNetDissectors)
			// The engine names the service behind the host name the same way.
			if m, ok := matchHostDetail(f.Host); ok && f.App == "" && m.App != f.Master {
				f.App = m.App
			}
			if got := appName(f); got != c.truth.App {
				t.Errorf("app = %q, want %q", got, c.truth.App)
			}
			if f.Info != c.truth.Info {
				t.Errorf("info = %q, want %q", f.Info, c.truth.Info)
			}
		})
	}
}

// TestMailNetRejectOthers offers every testdata flow of another protocol,
// from this batch's cases and from the DNS, HTTP, SSH and DHCP cases, to
// each dissector alone: none may claim it.
func TestMailNetRejectOthers(t *testing.T) {
	cases := loadMailNetCases(t)
	others := l7CaseFiles()
	for _, meta := range others {
		dir := filepath.Dir(meta)
		cases = append(cases, mailNetCase{dir: dir, flow: loadCase(t, dir), truth: appTruth{Master: filepath.Base(filepath.Dir(dir))}})
	}
	for _, d := range mailNetDissectors {
		if d.Name() == "TLS" {
			continue // the TLS dissector has tests of its own
		}
		for _, c := range cases {
			if slices.Contains(mailNetClaims[d.Name()], c.truth.Master) || c.truth.App == "TLS.RDP" && d.Name() == "RDP" {
				continue
			}
			if f := replay(c.flow, []Dissector{d}); f.Master != "" {
				t.Errorf("%s claimed %s (nDPI: %s) as %s", d.Name(), c.dir, c.truth.App, appName(f))
			}
		}
	}
}

// TestMailNetRandomBytes offers random-looking payloads on each
// dissector's ports: none may claim them.
func TestMailNetRandomBytes(t *testing.T) {
	noise := make([]byte, 2600)
	state := uint32(2463534242)
	for i := range noise {
		state ^= state << 13
		state ^= state >> 17
		state ^= state << 5
		noise[i] = byte(state)
	}
	for _, d := range mailNetDissectors {
		ports := []uint16{40000}
		if h, ok := d.(portHinter); ok {
			tcp, udp := h.Ports()
			ports = append(append(ports, tcp...), udp...)
		}
		for _, port := range ports {
			for _, proto := range []uint8{ipProtocolTCP, ipProtocolUDP} {
				if d.Name() == "BFD" && port == bfdEchoPort {
					// Echo packets have no defined content: BFD accepts any
					// datagram of a plausible size on this port.
					continue
				}
				for _, size := range []int{1, 12, 29, 100, 1232} {
					cf := &pcapflows.Flow{L4: map[uint8]string{ipProtocolTCP: "TCP", ipProtocolUDP: "UDP"}[proto],
						Client: mailNetEndpoint(50000), Server: mailNetEndpoint(port),
						Packets: []pcapflows.Packet{{Dir: 0, Payload: noise[:size]}, {Dir: 1, Payload: noise[size : 2*size]}}}
					if f := replay(cf, []Dissector{d}); f.Master != "" {
						t.Errorf("%s claimed %d random bytes on %s port %d as %s", d.Name(), size, cf.L4, port, appName(f))
					}
				}
			}
		}
	}
}

func mailNetEndpoint(port uint16) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("192.0.2.7"), port)
}

// FuzzMailNet feeds two payloads, one from each side, to every dissector
// of this batch on its own ports, as UDP datagrams and as TCP streams.
func FuzzMailNet(f *testing.F) {
	seedPayloads(f, "apps/*")
	f.Fuzz(func(t *testing.T, c2s, s2c []byte) {
		for _, d := range mailNetDissectors {
			ports := []uint16{40000}
			if h, ok := d.(portHinter); ok {
				tcp, udp := h.Ports()
				ports = append(append(ports, tcp...), udp...)
			}
			for _, port := range ports {
				fuzzFlow(d, ipProtocolTCP, 50000, port, c2s, s2c)
				fuzzFlow(d, ipProtocolUDP, 50000, port, c2s, s2c)
			}
		}
	})
}
