package dpi

import (
	"bytes"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadRulesMalformedLines(t *testing.T) {
	dir := writeRules(t, map[string]string{
		"protos.txt": "tcp:81,tcp:8181@HTTP\n" +
			"tcp:99999@Bad\n" + // line 2: invalid port
			"host:\"example.com\"@Example\n" +
			"no at sign here\n" + // line 4
			"ip:www.ntop.org@ntop\n" + // line 5: host name, not resolved
			"udp:5000-5002@Range\n",
		"categories.txt":    "internetbadguys.com\t100\nbroken line with words\n172.30.69.0/24\t100\n",
		"risky_domains.txt": ".tk\nexample.org\n",
	})
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	r, err := LoadRules(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"file=protos.txt line=2", "file=protos.txt line=4",
		"file=protos.txt line=5", "file=categories.txt line=2", "malformed_lines=4"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if got, _ := r.ProtocolByPort(ipProtoTCP, 8181); got != "HTTP" {
		t.Errorf("ProtocolByPort(tcp 8181) = %q, want HTTP", got)
	}
	if got, _ := r.ProtocolByPort(ipProtoUDP, 5001); got != "Range" {
		t.Errorf("ProtocolByPort(udp 5001) = %q, want Range", got)
	}
	if got, _ := r.ProtocolByHost("www.Example.com"); got != "Example" {
		t.Errorf("ProtocolByHost = %q, want Example", got)
	}
	if !r.IsRiskyDomain("foo.bar.tk") {
		t.Error("IsRiskyDomain(foo.bar.tk) = false, want true")
	}
	if !r.IsRiskyDomain("example.org") {
		t.Error("IsRiskyDomain(example.org) = false, want true")
	}
	if r.IsRiskyDomain("tk.example.com") {
		t.Error("IsRiskyDomain(tk.example.com) = true, want false")
	}
}

func TestLoadRulesMissingDir(t *testing.T) {
	if _, err := LoadRules(filepath.Join(t.TempDir(), "nope"), nil); err == nil {
		t.Error("LoadRules on a missing directory returned no error")
	}
}

func TestNilRulesMatchNothing(t *testing.T) {
	var r *Rules
	if _, ok := r.ProtocolByPort(ipProtoTCP, 80); ok {
		t.Error("nil Rules matched a port")
	}
	if r.IsRiskyDomain("x.tk") {
		t.Error("nil Rules matched a risky domain")
	}
	if r.TrustedIssuer("CN=x") {
		t.Error("nil Rules matched an issuer")
	}
}

// TestLoadRulesNDPIConfig loads the rule files nDPI's test captures were
// classified with and checks the lookups the engine and the risk stage
// make.
func TestLoadRulesNDPIConfig(t *testing.T) {
	var buf bytes.Buffer
	r, err := LoadRules("testdata/rules", slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr
	ipTests := []struct {
		addr string
		port uint16
		want string
	}{
		{"3.3.3.3", 443, "CustomProtocolA"},
		{"3.3.3.3", 444, "CustomProtocolB"},
		{"3.3.3.3", 446, "CustomProtocolC"},
		{"3.3.3.3", 80, ""},
		{"213.75.170.11", 443, "CustomProtocol"},
		{"213.75.170.11", 80, ""},
		{"54.80.47.130", 1234, "AmazonPrime"},
		{"3ffe:507:0:1:200:86ff:fe05:80da", 1, "CustomProtocolD"},
		{"247f:855b:5e16:3caf::1", 100, "CustomProtocolE"},
		{"247f:855b:5e16:3caf::1", 101, "CustomProtocolF"},
		{"fe80::76ac:b9ff:fe6c:c124", 12719, "CustomProtocolI"},
	}
	for _, tt := range ipTests {
		got, _ := r.ProtocolByIP(ip(tt.addr), tt.port)
		if got != tt.want {
			t.Errorf("ProtocolByIP(%s, %d) = %q, want %q", tt.addr, tt.port, got, tt.want)
		}
	}

	if got, _ := r.ProtocolByPort(ipProtoTCP, 3260); got != "iSCSI" {
		t.Errorf("ProtocolByPort(tcp 3260) = %q, want iSCSI", got)
	}
	if got, _ := r.ProtocolByHost("www.disneyplus.com"); got != "DisneyPlus" {
		t.Errorf("ProtocolByHost(disneyplus) = %q", got)
	}

	if got, _ := r.CategoryForHost("www.internetbadguys.com"); got != "Malware" {
		t.Errorf("CategoryForHost(internetbadguys) = %q, want Malware", got)
	}
	if got, _ := r.CategoryForIP(ip("172.30.69.7")); got != "Malware" {
		t.Errorf("CategoryForIP(172.30.69.7) = %q, want Malware", got)
	}
	if got, _ := r.CategoryForIP(ip("2001:db8:1::1")); got != "Malware" {
		t.Errorf("CategoryForIP(2001:db8:1::1) = %q, want Malware", got)
	}
	if got, _ := r.CategoryForHost("1084bets10.com"); got != "Gambling" {
		t.Errorf("CategoryForHost(1084bets10.com) = %q, want Gambling", got)
	}

	if !r.IsRiskyDomain("evil.xyz") {
		t.Error("IsRiskyDomain(evil.xyz) = false")
	}
	if reason, ok := r.MaliciousJA3("B386946A5A44D1DDCC843BC75336DFCE"); !ok || reason != "Dridex" {
		t.Errorf("MaliciousJA3 = %q, %v; want Dridex", reason, ok)
	}
	if _, ok := r.MaliciousCertSHA1("0d:db:34:f8:75:63:2c:7e:1e:c0:9d:75:82:7f:82:d2:33:6d:fe:b6"); !ok {
		t.Error("MaliciousCertSHA1 missed the first listed digest")
	}

	if !r.TrustedIssuer("CN=813845657003339838, O=Code42, OU=TEST, ST=MN, C=US") {
		t.Error("TrustedIssuer missed the configured DN")
	}
	if m, ok := r.RiskMaskForIP(ip("10.10.120.5")); !ok || m != 0 {
		t.Errorf("RiskMaskForIP(10.10.120.5) = %d, %v; want 0, true", m, ok)
	}
	if _, ok := r.RiskMaskForHost("printer.home"); !ok {
		t.Error("RiskMaskForHost(printer.home) not found")
	}

	// The nbpf: filter and the two symbolic ip:www.ntop.org rules are the
	// lines flowlens cannot load.
	if !strings.Contains(buf.String(), "malformed_lines=3") {
		t.Errorf("want 3 skipped lines, log:\n%s", buf.String())
	}
}

func TestParseAddrRule(t *testing.T) {
	tests := []struct {
		kind, val, prefix string
		port              uint16
		ok                bool
	}{
		{"ip", "1.2.3.4", "1.2.3.4/32", 0, true},
		{"ip", "1.2.3.4:443", "1.2.3.4/32", 443, true},
		{"ip", "1.2.3.0/24:443", "1.2.3.0/24", 443, true},
		{"ipv6", "[2001:db8::]/64:100", "2001:db8::/64", 100, true},
		{"ipv6", "[2001:db8::1]", "2001:db8::1/128", 0, true},
		{"ip", "1.2.3.4/33", "", 0, false},
		{"ipv6", "2001:db8::1", "", 0, false},
		{"ip", "host.example", "", 0, false},
	}
	for _, tt := range tests {
		p, port, err := parseAddrRule(tt.kind, tt.val)
		if (err == nil) != tt.ok {
			t.Errorf("parseAddrRule(%q) err = %v, want ok=%v", tt.val, err, tt.ok)
			continue
		}
		if tt.ok && (p.String() != tt.prefix || port != tt.port) {
			t.Errorf("parseAddrRule(%q) = %s, %d; want %s, %d", tt.val, p, port, tt.prefix, tt.port)
		}
	}
}
