package dpi

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
)

// mailNetDissectors are the mail, file-sharing, industrial and game
// dissectors this file measures, followed by the TLS dissector that the
// STARTTLS hand-overs continue into.
var mailNetDissectors = []Dissector{
	Activision{}, MailTLS{}, SMTP{}, IMAP{}, POP3{}, NetBIOS{}, SMB{},
	RDP{}, VNC{}, Munin{}, MySQL{}, RESP{}, Cassandra{}, AJP{},
	BGP{}, BFD{}, LDP{}, LISP{}, DLEP{},
	EthernetIP{}, HiSLIP{}, HARTIP{}, TRDP{}, PTPv2{},
	Roughtime{}, TINC{}, DCERPC{},
	TLSDissector{},
}

// mailNetClaims lists, per dissector name, the master protocols it may
// name a flow.
var mailNetClaims = map[string][]string{
	"IMAPS":      {"SMTPS", "IMAPS", "POPS"},
	"SMTP":       {"SMTP", "SMTPS"},
	"IMAP":       {"IMAP", "IMAPS"},
	"POP3":       {"POP3", "POPS"},
	"NetBIOS":    {"NetBIOS"},
	"SMBv23":     {"SMBv23", "NetBIOS"},
	"RDP":        {"RDP"},
	"VNC":        {"VNC"},
	"Munin":      {"Munin"},
	"MySQL":      {"MySQL"},
	"RESP":       {"RESP"},
	"Cassandra":  {"Cassandra"},
	"AJP":        {"AJP"},
	"BGP":        {"BGP"},
	"BFD":        {"BFD"},
	"LDP":        {"LDP"},
	"LISP":       {"LISP"},
	"DLEP":       {"DLEP"},
	"EthernetIP": {"EthernetIP"},
	"HiSLIP":     {"HiSLIP"},
	"HART-IP":    {"HART-IP"},
	"TRDP":       {"TRDP"},
	"PTPv2":      {"PTPv2"},
	"Roughtime":  {"Roughtime"},
	"TINC":       {"TINC"},
	"DCERPC":     {"DCERPC"},
	"Activision": {"Activision"},
	"TLS":        {"TLS"},
}

// appTruth is the part of a truth line these tests compare.
type appTruth struct {
	Pcap       string   `json:"pcap"`
	App        string   `json:"app"`
	Master     string   `json:"master_protocol"`
	Confidence string   `json:"confidence"`
	Info       string   `json:"info"`
	Risks      []string `json:"risks"`
}

// mailNetMasters reports whether a truth master is one of this file's.
func mailNetMasters(master string) bool {
	for name, masters := range mailNetClaims {
		if name == "TLS" {
			continue
		}
		for _, m := range masters {
			if m == master {
				return true
			}
		}
	}
	return false
}

// appName joins master and app as the flow record's app field does.
func appName(f *Flow) string {
	if f.App == "" {
		return f.Master
	}
	return f.Master + "." + f.App
}

// TestCorpusMailNet replays every corpus flow through mailNetDissectors
// and reports, per protocol, the flows nDPI named by DPI that get the same
// app and info, and the flows nDPI named otherwise that these dissectors
// claim. The TLS dissector's own flows are left out of both counts.
func TestCorpusMailNet(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("set -corpus to the directory of nDPI's reference corpus to measure agreement")
	}
	truth := readAppTruth(t, filepath.Join(*corpusDir, "truth.jsonl"))
	pcaps, err := filepath.Glob(filepath.Join(*corpusDir, "pcap", "*"))
	if err != nil {
		t.Fatal(err)
	}
	hits, totals, falses := map[string]int{}, map[string]int{}, map[string]int{}
	for _, path := range pcaps {
		flows, err := pcapflows.Read(path)
		if err != nil {
			t.Logf("read %s: %v", path, err)
			continue
		}
		for _, cf := range flows {
			tf, ok := truth[flowKeyString(filepath.Base(path), cf.L4, cf.Client, cf.Server)]
			if !ok {
				continue
			}
			f := replay(cf, mailNetDissectors)
			where := fmt.Sprintf("%s %s %s-%s", tf.Pcap, cf.L4, cf.Client, cf.Server)
			switch {
			case (mailNetMasters(tf.Master) || tf.App == "TLS.RDP") && tf.Confidence == "dpi":
				totals[tf.App]++
				if appName(f) == tf.App && f.Info == tf.Info {
					hits[tf.App]++
				} else {
					t.Logf("miss %s: want %s %q, got %s %q", where, tf.App, tf.Info, appName(f), f.Info)
				}
			case f.Master != "" && f.Master != "TLS" && f.Master != tf.Master:
				falses[appName(f)]++
				t.Logf("false %s: nDPI %s, got %s", where, tf.App, appName(f))
			}
		}
	}
	logMailNetTable(t, hits, totals, falses)
}

func logMailNetTable(t *testing.T, hits, totals, falses map[string]int) {
	names := map[string]bool{}
	for n := range totals {
		names[n] = true
	}
	for n := range falses {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		t.Logf("%-28s %3d/%3d agree, %3d false claims", n, hits[n], totals[n], falses[n])
	}
}

func readAppTruth(t *testing.T, path string) map[string]appTruth {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]appTruth{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var tf truthFlow
		var at appTruth
		if err := json.Unmarshal([]byte(line), &tf); err != nil {
			t.Fatalf("truth line %q: %v", line, err)
		}
		if err := json.Unmarshal([]byte(line), &at); err != nil {
			t.Fatalf("truth line %q: %v", line, err)
		}
		if tf.L4 == "TCP" || tf.L4 == "UDP" {
			out[tf.key()] = at
		}
	}
	return out
}
