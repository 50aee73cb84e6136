package dpi

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/decode"
)

var updatePayloads = flag.Bool("update-payloads", false, "extract the payload test cases again from the captures of -payload-corpus")

// payloadSource names a flow of a corpus capture to extract as a test
// case into testdata/<dir>: the first packets with payload, one file each.
type payloadSource struct {
	dir        string
	pcap, l4   string
	clientPort uint16
	serverPort uint16
	packets    int
}

// payloadCase is one extracted flow: its packets and nDPI's result.
type payloadCase struct {
	name    string
	proto   uint8
	client  netip.AddrPort
	server  netip.AddrPort
	packets []corpusPacket
	// want is nDPI's application, master.app or master alone.
	want string
	info string
}

func (c *payloadCase) flow() *corpusFlow {
	return &corpusFlow{proto: c.proto, client: c.client, server: c.server, packets: c.packets}
}

// TestExtractPayloadCases writes the cases of payloadSources when
// -update-payloads is set.
func TestExtractPayloadCases(t *testing.T) {
	if !*updatePayloads {
		t.Skip("set -update-payloads and -payload-corpus to extract the cases again")
	}
	if *payloadCorpusDir == "" {
		t.Fatal("-update-payloads needs -payload-corpus")
	}
	truth := loadCorpusTruth(t, filepath.Join(*payloadCorpusDir, "truth.jsonl"))
	for _, src := range payloadSources {
		if err := extractPayloadCase(src, truth[src.pcap]); err != nil {
			t.Errorf("%s: %v", src.dir, err)
		}
	}
}

func extractPayloadCase(src payloadSource, truth map[corpusKey]corpusTruth) error {
	flows, err := readReplayFlows(filepath.Join(*payloadCorpusDir, "pcap", src.pcap))
	if err != nil {
		return err
	}
	for _, fl := range flows {
		isTCP := fl.proto == decode.ProtoTCP
		forward := fl.client.Port() == src.clientPort && fl.server.Port() == src.serverPort
		backward := fl.client.Port() == src.serverPort && fl.server.Port() == src.clientPort
		if isTCP != (src.l4 == "TCP") || !(forward || backward) {
			continue
		}
		tr, ok := truth[newCorpusKey(fl.proto, fl.client, fl.server)]
		want, info := "Unknown", ""
		if ok {
			want, info = tr.Master, tr.Info
			if tr.App != "" {
				want += "." + tr.App
			}
		}
		return writePayloadCase(filepath.Join("testdata", src.dir), fl, src, want, info)
	}
	return fmt.Errorf("no %s flow %d->%d in %s", src.l4, src.clientPort, src.serverPort, src.pcap)
}

func writePayloadCase(dir string, fl *corpusFlow, src payloadSource, want, info string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n := 0
	for _, p := range fl.packets {
		if len(p.payload) == 0 || n >= src.packets {
			continue
		}
		name := fmt.Sprintf("%02d-%s.bin", n, map[Direction]string{ClientToServer: "c2s", ServerToClient: "s2c"}[p.dir])
		if err := os.WriteFile(filepath.Join(dir, name), p.payload, 0o644); err != nil {
			return err
		}
		n++
	}
	meta := fmt.Sprintf("%s %s %s %s\n%s\n%s\n", src.l4, fl.client, fl.server, src.pcap, want, info)
	return os.WriteFile(filepath.Join(dir, "flow.txt"), []byte(meta), 0o644)
}

// loadPayloadCases reads every case under testdata/<dir>/.
func loadPayloadCases(t testing.TB, dir string) []*payloadCase {
	t.Helper()
	metas, err := filepath.Glob(filepath.Join("testdata", dir, "*", "flow.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(metas)
	var out []*payloadCase
	for _, m := range metas {
		c, err := readPayloadCase(filepath.Dir(m))
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		out = append(out, c)
	}
	return out
}

func readPayloadCase(dir string) (*payloadCase, error) {
	meta, err := os.ReadFile(filepath.Join(dir, "flow.txt"))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(meta), "\n")
	head := strings.Fields(lines[0])
	if len(lines) < 3 || len(head) < 3 {
		return nil, fmt.Errorf("invalid flow.txt %q", meta)
	}
	c := &payloadCase{name: filepath.Join(filepath.Base(filepath.Dir(dir)), filepath.Base(dir)), want: lines[1], info: lines[2]}
	c.proto = decode.ProtoUDP
	if head[0] == "TCP" {
		c.proto = decode.ProtoTCP
	}
	if c.client, err = netip.ParseAddrPort(head[1]); err != nil {
		return nil, err
	}
	if c.server, err = netip.ParseAddrPort(head[2]); err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.bin"))
	sort.Strings(files)
	var seq [2]uint32
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		p := corpusPacket{payload: data, flags: decode.TCPFlagACK | decode.TCPFlagPSH}
		if strings.HasSuffix(name, "-s2c.bin") {
			p.dir = ServerToClient
		}
		p.seq = 1000 + seq[p.dir]
		seq[p.dir] += uint32(len(data))
		c.packets = append(c.packets, p)
	}
	return c, nil
}

// checkPayloadCases runs d alone over every extracted case: the cases in
// testdata/<own> must get nDPI's result, and d must claim none of the
// cases of other protocols.
func checkPayloadCases(t *testing.T, d Dissector, own string) {
	t.Helper()
	e := newEngineWith([]Dissector{d})
	for _, dir := range allPayloadDirs() {
		for _, c := range loadPayloadCases(t, dir) {
			f := e.replayCorpusFlow(c.flow())
			got := f.Master
			if f.App != "" {
				got += "." + f.App
			}
			if dir == own {
				want := c.want
				if w, ok := knownDifferences[c.name]; ok {
					want = w
				}
				if want == "Unknown" || want == "" {
					want = ""
				}
				if got != want {
					t.Errorf("%s: %s got %q, want %q", c.name, d.Name(), got, c.want)
				}
				continue
			}
			if first, ok := claimedFirstBy[c.name]; ok && first.Name() != d.Name() {
				checkCaseAfter(t, c, first, d)
				continue
			}
			if got != "" {
				t.Errorf("%s: %s claimed %q, nDPI says %q", c.name, d.Name(), got, c.want)
			}
		}
	}
}

// knownDifferences lists the cases where flowlens and nDPI disagree, with
// flowlens's result, so that a change of behaviour shows up.
var knownDifferences = map[string]string{
	// nDPI names CoAP sent to the LAN sync port Dropbox, although nothing
	// in the payload is Dropbox's.
	"dropbox/coap-port-17500": "",
	// nDPI matches the server's address to Zoom's network but names the
	// flow DTLS alone, while the STUN dissector names the call's
	// application from that address.
	"stun/zoom-dtls": "DTLS.Zoom",
	// A Photon fragment from the middle of a session: nDPI's dissector
	// rejects it as well, and nDPI names the flow TocaBoca by its port.
	"tocaboca/fragment-port-only": "",
}

// claimedFirstBy names, for cases that another dissector would also
// claim, the dissector that the registry must offer them to first.
var claimedFirstBy = map[string]Dissector{
	// The RTP that follows classic STUN on the flow.
	"stun/classic-rtp": STUN{},
}

// checkCaseAfter replays c through first, then d, as the registry orders
// them, and checks that the result is nDPI's.
func checkCaseAfter(t *testing.T, c *payloadCase, first, d Dissector) {
	t.Helper()
	f := newEngineWith([]Dissector{first, d}).replayCorpusFlow(c.flow())
	got := f.Master
	if f.App != "" {
		got += "." + f.App
	}
	if got != c.want {
		t.Errorf("%s: %s after %s got %q, want %q", c.name, d.Name(), first.Name(), got, c.want)
	}
}

// allPayloadDirs lists every testdata directory of extracted cases, so
// each dissector is checked against the others' traffic.
func allPayloadDirs() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range payloadSources {
		d := filepath.Dir(s.dir)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// fuzzDissector feeds arbitrary bytes to d as the payloads of a UDP and a
// TCP flow, in both directions, seeded from the cases of seedDirs.
func fuzzDissector(f *testing.F, d Dissector, seedDirs ...string) {
	for _, dir := range seedDirs {
		for _, c := range loadPayloadCases(f, dir) {
			for _, p := range c.packets {
				f.Add(p.payload)
			}
		}
	}
	e := newEngineWith([]Dissector{d})
	client := netip.MustParseAddrPort("10.0.0.1:40000")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, proto := range []uint8{decode.ProtoUDP, decode.ProtoTCP} {
			for _, port := range portsOf(d, proto) {
				server := netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), port)
				fl := &corpusFlow{proto: proto, client: client, server: server, packets: []corpusPacket{
					{dir: ClientToServer, payload: data, seq: 1},
					{dir: ServerToClient, payload: data, seq: 1},
					{dir: ClientToServer, payload: data, seq: 1 + uint32(len(data))},
				}}
				e.replayCorpusFlow(fl)
			}
		}
	})
}

// portsOf returns d's usual ports for proto plus one other port.
func portsOf(d Dissector, proto uint8) []uint16 {
	out := []uint16{40001}
	if h, ok := d.(portHinter); ok {
		tcp, udp := h.Ports()
		if proto == decode.ProtoTCP {
			out = append(out, tcp...)
		} else {
			out = append(out, udp...)
		}
	}
	return out
}
