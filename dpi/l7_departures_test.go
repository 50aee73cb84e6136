package dpi

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
)

// l7DeparturesGolden lists every corpus flow where the DHCP host name or
// an SSH banner differs from nDPI's result, so that each difference is
// checked against nDPI's known departures without the corpus.
// NOTE: the list is built with the test's capture reader, which does not
// open CAPWAP tunnels, so the DHCP flow inside capwap.pcap is missing.
const l7DeparturesGolden = "testdata/l7_departures.jsonl"

// l7Departure is one corpus flow where the product and nDPI disagree on
// field. Other is the product's value of the opposite SSH banner.
type l7Departure struct {
	Field   string `json:"field"`
	Flow    string `json:"flow"`
	NDPI    string `json:"ndpi"`
	Product string `json:"product"`
	Other   string `json:"other,omitempty"`
}

// TestDHCPHostnameDeparturesFromNDPI checks that every listed DHCP host
// name differs from nDPI's only because nDPI lowercases it. The flow
// record keeps the name as the client sent it in option 12.
func TestDHCPHostnameDeparturesFromNDPI(t *testing.T) {
	n := 0
	for _, d := range readL7Departures(t) {
		if d.Field != "dhcp.hostname" {
			continue
		}
		n++
		if d.NDPI != strings.ToLower(d.Product) {
			t.Errorf("%s: nDPI's host name %q is not the product's %q in lower case", d.Flow, d.NDPI, d.Product)
		}
	}
	if n == 0 {
		t.Fatalf("%s lists no DHCP host name departure", l7DeparturesGolden)
	}
}

// TestSSHBannerDeparturesFromNDPI checks that every listed SSH banner
// differs from nDPI's only because nDPI takes the first banner seen as the
// client's. Where the server speaks first, nDPI's client banner is the
// product's server banner, and nDPI's server banner is the product's
// client banner or missing when the client sent none.
func TestSSHBannerDeparturesFromNDPI(t *testing.T) {
	n := 0
	for _, d := range readL7Departures(t) {
		if !strings.HasPrefix(d.Field, "ssh.") {
			continue
		}
		n++
		if d.NDPI != d.Other {
			t.Errorf("%s: nDPI's %s %q is not the product's opposite banner %q", d.Flow, d.Field, d.NDPI, d.Other)
		}
	}
	if n == 0 {
		t.Fatalf("%s lists no SSH banner departure", l7DeparturesGolden)
	}
}

func readL7Departures(t *testing.T) []l7Departure {
	return readJSONLines[l7Departure](t, l7DeparturesGolden)
}

// TestL7DeparturesCorpus rebuilds the DHCP and SSH departure list from
// nDPI's corpus and compares it with the golden file, so that a difference
// that is not listed, and therefore not explained, fails the test. It runs
// only with -corpus DIR; -update rewrites the golden file.
func TestL7DeparturesCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("rebuilding the departure list needs -corpus DIR")
	}
	truth := readTruth(t, filepath.Join(*corpusDir, "truth.jsonl"))
	pcaps, err := filepath.Glob(filepath.Join(*corpusDir, "pcap", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var got []l7Departure
	for _, path := range pcaps {
		flows, err := pcapflows.Read(path)
		if err != nil {
			t.Logf("read %s: %v", path, err) // two captures the reader rejects hold no DHCP or SSH flow
			continue
		}
		for _, cf := range flows {
			key := flowKeyString(filepath.Base(path), cf.L4, cf.Client, cf.Server)
			for _, tf := range truth[key] {
				if tf.DHCP != nil || tf.SSH != nil {
					got = append(got, l7FlowDepartures(key, tf, replay(cf, l7Dissectors))...)
				}
			}
		}
	}
	slices.SortFunc(got, func(a, b l7Departure) int { return strings.Compare(a.Field+a.Flow, b.Field+b.Flow) })

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, d := range got {
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	if *update {
		writeFile(t, l7DeparturesGolden, buf.Bytes())
		return
	}
	want, err := os.ReadFile(l7DeparturesGolden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Errorf("the corpus's departures differ from %s; rerun with -update and review the diff", l7DeparturesGolden)
	}
}

// l7FlowDepartures returns the DHCP host name and SSH banner differences
// of one replayed flow. A field the product did not fill is a gap, not a
// departure, unless it is an SSH banner nDPI moved to the other side.
func l7FlowDepartures(key string, tf truthFlow, f *Flow) []l7Departure {
	var out []l7Departure
	if tf.DHCP != nil && f.DHCP != nil && tf.DHCP.Hostname != "" && f.DHCP.Hostname != "" && tf.DHCP.Hostname != f.DHCP.Hostname {
		out = append(out, l7Departure{Field: "dhcp.hostname", Flow: key, NDPI: tf.DHCP.Hostname, Product: f.DHCP.Hostname})
	}
	if tf.SSH == nil || f.SSH == nil {
		return out
	}
	if w, g := tf.SSH.ClientBanner, f.SSH.ClientBanner; w != "" && w != g {
		out = append(out, l7Departure{Field: "ssh.client_banner", Flow: key, NDPI: w, Product: g, Other: f.SSH.ServerBanner})
	}
	if w, g := tf.SSH.ServerBanner, f.SSH.ServerBanner; w != "" && w != g {
		out = append(out, l7Departure{Field: "ssh.server_banner", Flow: key, NDPI: w, Product: g, Other: f.SSH.ClientBanner})
	}
	return out
}
