package dpi

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
)

// l7DeparturesGolden lists every corpus flow where the DHCP host name, an
// SSH banner, the DNS query or rcode, or the HTTP URL differs from nDPI's
// result, so that each difference is checked against nDPI's known
// departures without the corpus.
// NOTE: the list is built with the test's capture readers, which do not
// open CAPWAP tunnels, so the DHCP flow inside capwap.pcap is missing.
const l7DeparturesGolden = "testdata/l7_departures.jsonl"

// l7Departure is one corpus flow where the product and nDPI disagree on
// field. Other is the product's value of the opposite SSH banner, or the
// HTTP Host of a URL. Message is the DNS message nDPI took an rcode from
// where the product reports none.
type l7Departure struct {
	Field   string `json:"field"`
	Flow    string `json:"flow"`
	NDPI    string `json:"ndpi"`
	Product string `json:"product"`
	Other   string `json:"other,omitempty"`
	Message []byte `json:"message,omitempty"`
}

// TestDHCPHostnameDeparturesFromNDPI checks that every listed DHCP host
// name differs from nDPI's only because nDPI lowercases it. The flow
// record keeps the name as the client sent it in option 12.
func TestDHCPHostnameDeparturesFromNDPI(t *testing.T) {
	for _, d := range l7DeparturesOf(t, "dhcp.hostname") {
		if d.NDPI != strings.ToLower(d.Product) {
			t.Errorf("%s: nDPI's host name %q is not the product's %q in lower case", d.Flow, d.NDPI, d.Product)
		}
	}
}

// TestSSHBannerDeparturesFromNDPI checks that every listed SSH banner
// differs from nDPI's only because nDPI takes the first banner seen as the
// client's. Where the server speaks first, nDPI's client banner is the
// product's server banner, and nDPI's server banner is the product's
// client banner or missing when the client sent none.
func TestSSHBannerDeparturesFromNDPI(t *testing.T) {
	for _, d := range l7DeparturesOf(t, "ssh.") {
		if d.NDPI != d.Other {
			t.Errorf("%s: nDPI's %s %q is not the product's opposite banner %q", d.Flow, d.Field, d.NDPI, d.Other)
		}
	}
}

// TestDNSQueryDeparturesFromNDPI checks that every listed DNS query differs
// from nDPI's only by nDPI's form of a host name. The flow record keeps
// the name as it travels on the wire.
func TestDNSQueryDeparturesFromNDPI(t *testing.T) {
	for _, d := range l7DeparturesOf(t, "dns.query") {
		if got := ndpiHostName(d.Product); got != d.NDPI {
			t.Errorf("%s: nDPI's query %q is not the product's %q in nDPI's form (%q)", d.Flow, d.NDPI, d.Product, got)
		}
	}
}

// ndpiHostName writes a DNS name as nDPI's snapshot stores it: letters
// lowercased, a byte other than a letter, digit, '-' or '_' replaced by
// '_' when printable and by '?' otherwise, and only the last 79
// characters kept. A byte of the product's name that is not UTF-8 reads
// back from the golden file as U+FFFD, which is not printable either.
func ndpiHostName(name string) string {
	const maxLen = 79
	var b strings.Builder
	for _, label := range strings.Split(name, ".") {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		for _, r := range label {
			switch {
			case r >= 'A' && r <= 'Z':
				b.WriteRune(r + 'a' - 'A')
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
				b.WriteRune(r)
			case r > ' ' && r < 0x7f:
				b.WriteByte('_')
			default:
				b.WriteByte('?')
			}
		}
	}
	out := b.String()
	return out[max(0, len(out)-maxLen):]
}

// TestDNSRCodeDeparturesFromNDPI checks every listed DNS rcode difference.
// nDPI names rcodes 7 to 9 otherwise than IANA's registry, and writes 10
// (NOTZONE, RFC 2136) and above as numbers. Where the product reports no
// rcode, nDPI took it from a message that is not DNS: its header
// announces more questions than the message can hold (RFC 1035 section
// 4.1), so flowlens does not read it.
func TestDNSRCodeDeparturesFromNDPI(t *testing.T) {
	for _, d := range l7DeparturesOf(t, "dns.rcode") {
		if d.Product != "" {
			code := slices.Index(dnsRCodeNames[:], d.Product)
			if code < 0 || ndpiRCodeName(uint8(code)) != d.NDPI {
				t.Errorf("%s: nDPI's rcode %q is not nDPI's name of the product's %q", d.Flow, d.NDPI, d.Product)
			}
			continue
		}
		h, ok := dnsParseHeader(d.Message)
		switch {
		case !ok || !h.response:
			t.Errorf("%s: the listed message is not a DNS response", d.Flow)
		case dnsPlausible(d.Message, h, true):
			t.Errorf("%s: the product reports no rcode, but the message nDPI read is valid DNS", d.Flow)
		case ndpiRCodeName(h.rcode) != d.NDPI:
			t.Errorf("%s: nDPI's rcode %q is not the message's %d", d.Flow, d.NDPI, h.rcode)
		}
	}
}

// ndpiRCodeName names an rcode as nDPI's snapshot prints it.
func ndpiRCodeName(code uint8) string {
	names := [...]string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "XRRSET", "NOTAUTH", "NOTZONE"}
	if int(code) < len(names) {
		return names[code]
	}
	return strconv.Itoa(int(code))
}

// TestHTTPURLDeparturesFromNDPI checks that every listed URL differs from
// nDPI's only by how nDPI prints it: the Host header followed by the
// request target, as a C string, so cut at a NUL byte, and cut to 255
// characters. The flow record keeps the whole request target as it was
// sent, and the corpus scorer joins the Host to it only when the target
// starts with "/".
func TestHTTPURLDeparturesFromNDPI(t *testing.T) {
	const ndpiMaxURL = 255
	for _, d := range l7DeparturesOf(t, "http.url") {
		host := d.Other
		if hostPort, _, found := strings.Cut(d.NDPI, "/"); found && httpStripHostPort(hostPort) == d.Other {
			host = hostPort // nDPI prints the Host header with its port
		}
		printed, _, _ := strings.Cut(host+d.Product, "\x00")
		printed = printed[:min(len(printed), ndpiMaxURL)]
		if printed != d.NDPI {
			t.Errorf("%s: nDPI's URL %q is not the Host %q and target %q as nDPI prints them (%q)", d.Flow, d.NDPI, host, d.Product, printed)
		}
	}
}

// httpStripHostPort removes a ":port" suffix from a Host value.
func httpStripHostPort(host string) string {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.Contains(host[i+1:], "]") {
		return host
	}
	if _, err := strconv.Atoi(host[i+1:]); err != nil {
		return host
	}
	return host[:i]
}

// l7DeparturesOf returns the listed departures of the fields that start
// with prefix. It fails the test when there is none, because the check
// would then test nothing.
func l7DeparturesOf(t *testing.T, prefix string) []l7Departure {
	t.Helper()
	var out []l7Departure
	for _, d := range readL7Departures(t) {
		if strings.HasPrefix(d.Field, prefix) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s lists no %s departure", l7DeparturesGolden, prefix)
	}
	return out
}

func readL7Departures(t *testing.T) []l7Departure {
	return readJSONLines[l7Departure](t, l7DeparturesGolden)
}

// TestL7DeparturesCorpus rebuilds the departure list from nDPI's corpus
// and compares it with the golden file, so that a difference that is not
// listed, and therefore not explained, fails the test. DNS and HTTP flows
// go through the engine, because which HTTP request a record keeps
// depends on the packets without payload too. It runs only with
// -corpus DIR; -update rewrites the golden file.
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
		got = append(got, dnsHTTPDepartures(t, truth, path)...)
	}
	slices.SortFunc(got, func(a, b l7Departure) int { return strings.Compare(a.Field+a.Flow, b.Field+b.Flow) })
	checkJSONLinesGolden(t, l7DeparturesGolden, got)
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

// dnsHTTPDepartures replays the flows of one capture that nDPI gives DNS
// or HTTP fields through the engine and returns their differences.
func dnsHTTPDepartures(t *testing.T, truth map[string][]truthFlow, path string) []l7Departure {
	flows, err := readReplayFlows(path)
	if err != nil {
		t.Logf("read %s: %v", path, err)
		return nil
	}
	e := NewEngine(DefaultConfig())
	var out []l7Departure
	for _, fl := range flows {
		l4 := map[uint8]string{ipProtocolTCP: "TCP", ipProtocolUDP: "UDP"}[fl.proto]
		key := flowKeyString(filepath.Base(path), l4, fl.client, fl.server)
		truths := truth[key]
		if len(truths) != 1 || (truths[0].DNS == nil && truths[0].HTTP == nil) {
			continue
		}
		out = append(out, dnsHTTPFlowDepartures(key, truths[0], e.replayCorpusFlow(fl), fl)...)
	}
	return out
}

// dnsHTTPFlowDepartures returns the DNS query, DNS rcode and HTTP URL
// differences of one flow, compared as the corpus scorer compares them.
func dnsHTTPFlowDepartures(key string, tf truthFlow, f *Flow, fl *corpusFlow) []l7Departure {
	var out []l7Departure
	if tf.DNS != nil && f.DNS != nil {
		if w, g := tf.DNS.Query, f.DNS.Query; w != "" && g != "" && !strings.EqualFold(w, g) {
			out = append(out, l7Departure{Field: "dns.query", Flow: key, NDPI: w, Product: g})
		}
	}
	if tf.DNS != nil && tf.DNS.RCode != "" {
		d := l7Departure{Field: "dns.rcode", Flow: key, NDPI: tf.DNS.RCode}
		if f.DNS != nil {
			d.Product = f.DNS.RCode
		}
		if d.Product == "" {
			d.Message = ndpiRCodeMessage(fl, tf.DNS.RCode)
		}
		if d.Product != d.NDPI {
			out = append(out, d)
		}
	}
	if tf.HTTP != nil && f.HTTP != nil {
		if w, g := tf.HTTP.URL, f.HTTP.URL; w != "" && g != "" && !httpURLAgrees(w, f.HTTP.Host, g) {
			out = append(out, l7Departure{Field: "http.url", Flow: key, NDPI: w, Product: g, Other: f.HTTP.Host})
		}
	}
	return out
}

// ndpiRCodeMessage returns the first UDP payload of a flow that reads as a
// DNS response with the rcode nDPI names, or nil.
func ndpiRCodeMessage(fl *corpusFlow, rcode string) []byte {
	for _, p := range fl.packets {
		if h, ok := dnsParseHeader(p.payload); ok && h.response && ndpiRCodeName(h.rcode) == rcode {
			return p.payload
		}
	}
	return nil
}

// httpURLAgrees reports whether nDPI's URL, the Host header (with any
// port) followed by the request target, matches the product's, as the
// corpus scorer matches them.
func httpURLAgrees(ndpi, host, target string) bool {
	if ndpi == target {
		return true
	}
	hostPort, path, found := strings.Cut(ndpi, "/")
	return found && strings.HasPrefix(target, "/") && httpStripHostPort(hostPort) == host && "/"+path == target
}
