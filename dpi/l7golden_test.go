package dpi

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
	"github.com/flowlens/flowlens/record"
)

var corpusExtract = flag.String("corpus.extract", "", "with -corpus, copy flows into testdata: "+
	"semicolon-separated DIR=PCAP/CLIENT entries, e.g. dns/aaaa=alexa-app.pcapng/172.16.42.216:3440")

// l7MaxCasePackets bounds the packets kept per testdata case.
const l7MaxCasePackets = 12

// l7Result is what a dissector test compares: the classification and the
// metadata a flow record takes from the dissectors.
type l7Result struct {
	Master string       `json:"master"`
	Host   string       `json:"host,omitempty"`
	Info   string       `json:"info,omitempty"`
	DNS    *record.DNS  `json:"dns,omitempty"`
	HTTP   *record.HTTP `json:"http,omitempty"`
	SSH    *record.SSH  `json:"ssh,omitempty"`
	DHCP   *record.DHCP `json:"dhcp,omitempty"`
}

func resultOf(f *Flow) l7Result {
	return l7Result{Master: f.Master, Host: f.Host, Info: f.Info, DNS: f.DNS, HTTP: f.HTTP, SSH: f.SSH, DHCP: f.DHCP}
}

// loadCase reads a testdata case: flow.txt ("L4 CLIENT SERVER SYN-C2S
// SYN-S2C") and the payloads NN-c2s.bin and NN-s2c.bin in packet order.
func loadCase(t testing.TB, dir string) *pcapflows.Flow {
	t.Helper()
	meta, err := os.ReadFile(filepath.Join(dir, "flow.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var l4, client, server string
	cf := &pcapflows.Flow{}
	if _, err := fmt.Sscan(string(meta), &l4, &client, &server, &cf.SYN[0], &cf.SYN[1]); err != nil {
		t.Fatalf("%s/flow.txt: %v", dir, err)
	}
	cf.L4, cf.Client, cf.Server = l4, netip.MustParseAddrPort(client), netip.MustParseAddrPort(server)
	cf.Packets = readCasePayloads(t, dir)
	return cf
}

// readCasePayloads reads a case directory's NN-c2s.bin and NN-s2c.bin
// files, in name order, as the flow's packets.
func readCasePayloads(t testing.TB, dir string) []pcapflows.Packet {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var packets []pcapflows.Packet
	for _, name := range files {
		payload, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		direction := pcapflows.ClientToServer
		if strings.HasSuffix(name, "-s2c.bin") {
			direction = pcapflows.ServerToClient
		}
		packets = append(packets, pcapflows.Packet{Dir: direction, Payload: payload})
	}
	return packets
}

// TestL7Golden replays each testdata case through the dissectors and
// compares the result with its golden want.json, then with the values
// nDPI reported for the same flow (truth.json). A case lists the fields
// where flowlens follows the specification rather than nDPI in
// departs.txt, one "field: reason" a line.
func TestL7Golden(t *testing.T) {
	cases := l7CaseFiles()
	if len(cases) == 0 {
		t.Fatal("no testdata cases found")
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(strings.TrimPrefix(dir, "testdata/"), func(t *testing.T) {
			f := replay(loadCase(t, dir), l7Dissectors)
			checkGolden(t, filepath.Join(dir, "want.json"), resultOf(f))
			checkTruth(t, dir, f)
		})
	}
}

// checkTruth compares the result with nDPI's values for the flow, leaving
// out the fields listed in departs.txt.
func checkTruth(t *testing.T, dir string, f *Flow) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return // a case written by hand, not taken from nDPI's captures
	}
	if err != nil {
		t.Fatal(err)
	}
	var tf truthFlow
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	report := corpusReport{}
	compareFlow(report, dir, []truthFlow{tf}, f)
	departs, _ := os.ReadFile(filepath.Join(dir, "departs.txt"))
	for field, tally := range report {
		expected := bytes.Contains(departs, []byte(field+":"))
		switch {
		case expected && tally.agree == tally.total:
			t.Errorf("%s agrees with nDPI now: remove it from departs.txt", field)
		case !expected && tally.agree != tally.total:
			t.Errorf("%s disagrees with nDPI: %s", field, strings.Join(tally.misses, "; "))
		}
	}
}

// TestCorpusExtract copies corpus flows into testdata cases.
func TestCorpusExtract(t *testing.T) {
	if *corpusDir == "" || *corpusExtract == "" {
		t.Skip("set -corpus and -corpus.extract to copy flows into testdata")
	}
	truth := readTruth(t, filepath.Join(*corpusDir, "truth.jsonl"))
	for _, entry := range strings.Split(*corpusExtract, ";") {
		dest, spec, _ := strings.Cut(entry, "=")
		pcap, client, _ := strings.Cut(spec, "/")
		flows, err := pcapflows.Read(filepath.Join(*corpusDir, "pcap", pcap))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, cf := range flows {
			if cf.Client.String() == client {
				key := flowKeyString(pcap, cf.L4, cf.Client, cf.Server)
				writeCase(t, filepath.Join("testdata", dest), cf, truth[key])
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no flow with client %s", pcap, client)
		}
	}
}

func writeCase(t *testing.T, dir string, cf *pcapflows.Flow, truths []truthFlow) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	meta := fmt.Sprintf("%s %s %s %v %v\n", cf.L4, cf.Client, cf.Server, cf.SYN[0], cf.SYN[1])
	must(t, os.WriteFile(filepath.Join(dir, "flow.txt"), []byte(meta), 0o644))
	for i, p := range cf.Packets[:min(len(cf.Packets), l7MaxCasePackets)] {
		name := fmt.Sprintf("%02d-c2s.bin", i)
		if p.Dir == pcapflows.ServerToClient {
			name = fmt.Sprintf("%02d-s2c.bin", i)
		}
		must(t, os.WriteFile(filepath.Join(dir, name), p.Payload, 0o644))
	}
	if len(truths) == 0 {
		t.Errorf("%s: flow not in the truth", dir)
		return
	}
	line, err := json.Marshal(truths[0])
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "truth.json"), append(line, '\n'), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// l7CaseFiles returns the flow.txt files of the DNS, HTTP, SSH and DHCP
// golden cases; other dissectors' cases use other formats.
func l7CaseFiles() []string {
	var files []string
	for _, proto := range []string{"dns", "http", "ssh", "dhcp"} {
		found, _ := filepath.Glob(filepath.Join("testdata", proto, "*", "flow.txt"))
		files = append(files, found...)
	}
	return files
}
