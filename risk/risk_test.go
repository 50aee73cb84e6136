package risk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/record"
)

func TestCertCovers(t *testing.T) {
	tests := []struct {
		san  []string
		host string
		want bool
	}{
		{[]string{"www.example.com"}, "WWW.Example.com", true},
		{[]string{"*.example.com"}, "a.example.com", true},
		{[]string{"*.example.com"}, "a.b.example.com", false},
		{[]string{"*.example.com"}, "example.com", false},
		{[]string{"*.com"}, "example.com", false},
		{[]string{"shop.ntop.org", "www.shop.ntop.org"}, "www.ntop.org", false},
		{[]string{"192.0.2.1"}, "192.0.2.1", true},
		{[]string{"*.tr.teams.microsoft.com"}, "52.114.250.153", false},
	}
	for _, tt := range tests {
		if got := certCovers(tt.san, tt.host); got != tt.want {
			t.Errorf("certCovers(%v, %q) = %v, want %v", tt.san, tt.host, got, tt.want)
		}
	}
}

func TestWeakCipher(t *testing.T) {
	tests := map[string]bool{
		"TLS_RSA_WITH_AES_128_CBC_SHA":          true,
		"TLS_RSA_WITH_RC4_128_MD5":              true,
		"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA":      true,
		"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA":   true,
		"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": false,
		"TLS_AES_256_GCM_SHA384":                false,
		"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384":   false,
	}
	for suite, want := range tests {
		if got := isWeakCipher(suite); got != want {
			t.Errorf("isWeakCipher(%s) = %v, want %v", suite, got, want)
		}
	}
}

func newTestEvaluator(t *testing.T, cfg Config) *Evaluator {
	t.Helper()
	e, err := New(context.Background(), cfg, Dependencies{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEvaluateRules(t *testing.T) {
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	cert := func(before, after time.Time) *record.Cert {
		return &record.Cert{Subject: "CN=a.example", Issuer: "CN=CA", NotBefore: before, NotAfter: after, SAN: []string{"a.example"}}
	}
	tests := []struct {
		name string
		flow record.Flow
		want []string
	}{
		{"expired certificate", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "TLSv1.3", SNI: "a.example", JA3: "x", ALPN: []string{"h2"},
				Cert: cert(at.AddDate(0, -3, 0), at.AddDate(0, 0, -12))}},
			[]string{"tls_certificate_expired"}},
		{"not yet valid certificate", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "TLSv1.3", SNI: "a.example", JA3: "x", ALPN: []string{"h2"},
				Cert: cert(at.AddDate(0, 0, 2), at.AddDate(0, 3, 0))}},
			[]string{"tls_certificate_expired"}},
		{"obsolete version", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "TLSv1", SNI: "a.example", JA3: "x"}},
			[]string{"tls_obsolete_version"}},
		{"mismatch and self-signed", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "TLSv1.3", SNI: "b.example", JA3: "x", ALPN: []string{"h2"},
				Cert: &record.Cert{Subject: "CN=a", Issuer: "CN=a", SAN: []string{"a.example"}}}},
			[]string{"tls_certificate_mismatch", "tls_selfsigned_certificate"}},
		{"missing SNI with web ALPN", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "TLSv1.3", JA3: "x", ALPN: []string{"xmpp-client", "h2"}}},
			[]string{"tls_alpn_sni_mismatch", "tls_missing_sni"}},
		{"missing SNI with other ALPN", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "TLSv1.3", JA3: "x", ALPN: []string{"xmpp-client"}}},
			[]string{"tls_missing_sni"}},
		{"encrypted SNI", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "TLSv1.3", JA3: "x", ALPN: []string{"h2"}, EncryptedSNI: true}},
			nil},
		{"DTLS without SNI", record.Flow{L4: "UDP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "DTLSv1.2", JA3: "x"}},
			[]string{"tls_missing_sni", "tls_not_carrying_https"}},
		{"WebRTC DTLS without SNI", record.Flow{L4: "UDP", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{Version: "DTLSv1.2", JA3: "x", WebRTC: true}},
			[]string{"tls_not_carrying_https"}},
		{"gQUIC without SNI", record.Flow{L4: "UDP", MasterProtocol: "QUIC", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{QUICVersion: "Q046"}},
			[]string{"tls_missing_sni"}},
		{"gQUIC with SNI", record.Flow{L4: "UDP", MasterProtocol: "QUIC", C2SPackets: 1, S2CPackets: 1,
			TLS: &record.TLS{QUICVersion: "Q046", SNI: "a.example"}},
			nil},
		{"unidirectional", record.Flow{L4: "UDP", ServerIP: "192.0.2.1", C2SPackets: 3},
			[]string{"unidirectional_traffic"}},
		{"multicast is not unidirectional", record.Flow{L4: "UDP", ServerIP: "239.255.255.250", C2SPackets: 3}, nil},
		{"HTTP on a non-standard port", record.Flow{L4: "TCP", Confidence: "dpi", MasterProtocol: "HTTP",
			ServerPort: 8888, ClientPort: 50000, C2SPackets: 1, S2CPackets: 1,
			HTTP: &record.HTTP{Host: "10.0.0.1", URL: "/", UserAgent: "curl/8.0"}},
			[]string{"known_protocol_on_non_standard_port", "numeric_ip_host"}},
		{"missing user agent and error", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			HTTP: &record.HTTP{Host: "a.example", URL: "/x", Status: 404}},
			[]string{"error_code_detected", "http_suspicious_user_agent"}},
		{"binary download", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			HTTP: &record.HTTP{Host: "a.example", URL: "/x", UserAgent: "Microsoft-CryptoAPI/10.0",
				Status: 200, ContentType: "application/octet-stream"}},
			[]string{"binary_data_transfer"}},
		{"binary content type with parameters", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			HTTP: &record.HTTP{Host: "a.example", URL: "/x", UserAgent: "Microsoft-CryptoAPI/10.0",
				Status: 200, ContentType: "Application/Octet-Stream; charset=binary"}},
			[]string{"binary_data_transfer"}},
		{"text content type", record.Flow{L4: "TCP", C2SPackets: 1, S2CPackets: 1,
			HTTP: &record.HTTP{Host: "a.example", URL: "/x", UserAgent: "Microsoft-CryptoAPI/10.0",
				Status: 200, ContentType: "text/html"}},
			nil},
		{"DNS error", record.Flow{L4: "UDP", C2SPackets: 1, S2CPackets: 1,
			DNS: &record.DNS{Query: "nx.example", RCode: "NXDOMAIN"}},
			[]string{"error_code_detected"}},
		{"dissector risk kept", record.Flow{L4: "UDP", C2SPackets: 1, S2CPackets: 1, Risks: []string{"malformed_packet"}},
			[]string{"malformed_packet"}},
	}
	e := newTestEvaluator(t, DefaultConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.flow
			e.Evaluate(&f, at)
			if !slices.Equal(f.Risks, tt.want) {
				t.Errorf("risks %v, want %v", f.Risks, tt.want)
			}
			if f.RiskScore != Score(tt.want) {
				t.Errorf("score %d, want %d", f.RiskScore, Score(tt.want))
			}
		})
	}
}

func TestDisabledRule(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Disabled = []string{"unidirectional_traffic"}
	e := newTestEvaluator(t, cfg)
	f := record.Flow{L4: "UDP", ServerIP: "192.0.2.1", C2SPackets: 3}
	e.Evaluate(&f, time.Now())
	if len(f.Risks) != 0 {
		t.Errorf("risks %v with unidirectional_traffic disabled", f.Risks)
	}
}

func TestLoadConfigRejectsUnknownRisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "risk.json")
	if err := os.WriteFile(path, []byte(`{"disabled":["no_such_risk"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), "no_such_risk") {
		t.Errorf("LoadConfig error %v, want one naming no_such_risk", err)
	}
}

func TestLoadConfigThreshold(t *testing.T) {
	path := filepath.Join(t.TempDir(), "risk.json")
	if err := os.WriteFile(path, []byte(`{"cert_expiry_warning":"240h"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.CertExpiryWarning) != 240*time.Hour {
		t.Errorf("cert_expiry_warning %v, want 240h", time.Duration(cfg.CertExpiryWarning))
	}
	if cfg.MaxDNSNameLength != 253 {
		t.Errorf("max_dns_name_length %d, want the default 253", cfg.MaxDNSNameLength)
	}
}

const ja3CSV = `# abuse.ch style
# ja3_md5,Firstseen,Lastseen,Listingreason
e7d705a3286e19ea42f587b344ee6865,2017-07-14 18:08:15,2019-07-27 20:42:54,Dridex
`

func TestBlocklistReload(t *testing.T) {
	body := ja3CSV
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if body == "" {
			http.Error(w, "gone", http.StatusNotFound)
			return
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()
	dir := t.TempDir()
	ipFile := filepath.Join(dir, "ips.txt")
	if err := os.WriteFile(ipFile, []byte("# bad hosts\n198.51.100.0/24\n203.0.113.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Blocklists.JA3 = []string{srv.URL + "/ja3.csv"}
	cfg.Blocklists.IPs = []string{ipFile}
	e := newTestEvaluator(t, cfg)

	f := record.Flow{L4: "TCP", ServerIP: "198.51.100.9", C2SPackets: 1, S2CPackets: 1,
		TLS: &record.TLS{Version: "TLSv1.3", SNI: "a.example", ALPN: []string{"h2"}, JA3: "E7D705A3286E19EA42F587B344EE6865"}}
	findings := e.Evaluate(&f, time.Now())
	if !slices.Equal(f.Risks, []string{"malicious_fingerprint", "malware_host_contacted"}) {
		t.Fatalf("risks %v", f.Risks)
	}
	if !strings.Contains(findings[0].Description, "Dridex") {
		t.Errorf("description %q does not name the listing reason", findings[0].Description)
	}

	body = ""
	if err := e.Reload(context.Background()); err == nil {
		t.Fatal("Reload succeeded although the JA3 list is gone")
	}
	f.Risks = nil
	e.Evaluate(&f, time.Now())
	if !slices.Contains(f.Risks, "malicious_fingerprint") {
		t.Error("failed reload dropped the previous JA3 list")
	}

	body = "# empty list\n"
	if err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.Risks = nil
	e.Evaluate(&f, time.Now())
	if slices.Contains(f.Risks, "malicious_fingerprint") {
		t.Error("successful reload kept a JA3 no longer listed")
	}
}

func TestAlertQuery(t *testing.T) {
	log := NewAlertLog(3)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, risk := range []string{"unidirectional_traffic", "tls_certificate_expired", "malicious_fingerprint", "tls_obsolete_version"} {
		f := &record.Flow{ID: "f", ClientIP: "10.0.0.1", ServerIP: "192.0.2.1"}
		log.Add(f, []Finding{{Risk: risk}}, base.Add(time.Duration(i)*time.Minute))
	}
	if log.Dropped() != 1 {
		t.Errorf("dropped %d, want 1", log.Dropped())
	}
	all, total, err := log.Alerts(context.Background(), AlertQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || all[0].Risk != "tls_obsolete_version" {
		t.Errorf("total %d, newest %q; want 3 and tls_obsolete_version", total, all[0].Risk)
	}
	high, total, _ := log.Alerts(context.Background(), AlertQuery{Severity: "High"})
	if total != 2 || high[1].Risk != "tls_certificate_expired" {
		t.Errorf("High and above: %d alerts, want 2", total)
	}
	page, total, _ := log.Alerts(context.Background(), AlertQuery{Page: 1, Size: 2})
	if total != 3 || len(page) != 1 || page[0].Risk != "tls_certificate_expired" {
		t.Errorf("second page %v of %d", page, total)
	}
	other, total, _ := log.Alerts(context.Background(), AlertQuery{Host: netip.MustParseAddr("192.0.2.99")})
	if total != 0 || len(other) != 0 {
		t.Errorf("host filter matched %d alerts", total)
	}
	if _, _, err := log.Alerts(context.Background(), AlertQuery{Severity: "Huge"}); err == nil {
		t.Error("invalid severity accepted")
	}
}

// alertSource is the interface of the web package's alerts view.
type alertSource interface {
	Alerts(ctx context.Context, q AlertQuery) (alerts []Alert, total int, err error)
}

var _ alertSource = (*AlertLog)(nil)

func TestDescribe(t *testing.T) {
	title, severity, score, ok := Describe("tls_certificate_expired")
	if !ok || title != "TLS Cert Expired" || severity != "High" || score != 100 {
		t.Errorf("Describe = %q %q %d %v", title, severity, score, ok)
	}
	if _, _, _, ok := Describe("no_such_risk"); ok {
		t.Error("Describe found an unknown risk")
	}
}
