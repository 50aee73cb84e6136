package risk

import (
	"context"
	"strings"
	"testing"
)

// TestThreatsFromCaptures raises each threat alert on a flow of nDPI's
// test captures, rebuilt from its truth record.
func TestThreatsFromCaptures(t *testing.T) {
	flows := loadTruthFlows(t)
	times := captureTimes(t)
	cfg := DefaultConfig()
	cfg.Blocklists.JA3 = []string{"testdata/ja3_blocklist.csv"}
	e, err := New(context.Background(), cfg, Dependencies{Ports: catalogPorts(t)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pcap, sni, ja3 string
		risk, text     string
	}{
		{"webex.pcap", "", "dff8a0aa1c904aaea76c5bf624e88333", "malicious_fingerprint", "is on the blocklist: Tofsee"},
		{"dnscrypt-v2-doh.pcap", "odvr.nic.cz", "", "tls_certificate_expired", "not valid until"},
		{"smtp-starttls.pcap", "", "", "tls_obsolete_version", "TLSv1 is deprecated"},
		{"http_ipv6.pcap", "www.ntop.org", "", "tls_certificate_mismatch", "do not cover SNI www.ntop.org"},
	}
	for _, tt := range tests {
		t.Run(tt.risk, func(t *testing.T) {
			log := NewAlertLog(16)
			found := false
			for i := range flows {
				f := flows[i].Flow
				if flows[i].PCAP != tt.pcap || f.TLS == nil || (tt.sni != "" && f.TLS.SNI != tt.sni) ||
					(tt.ja3 != "" && f.TLS.JA3 != tt.ja3) {
					continue
				}
				found = true
				f.Risks = nil
				log.Add(&f, e.Evaluate(&f, times[tt.pcap]), times[tt.pcap])
				break
			}
			if !found {
				t.Fatalf("no flow of %s in the truth", tt.pcap)
			}
			alerts, _, err := log.Alerts(context.Background(), AlertQuery{Risk: tt.risk})
			if err != nil {
				t.Fatal(err)
			}
			if len(alerts) != 1 {
				t.Fatalf("%d %s alerts, want 1", len(alerts), tt.risk)
			}
			if !strings.Contains(alerts[0].Description, tt.text) {
				t.Errorf("description %q lacks %q", alerts[0].Description, tt.text)
			}
		})
	}
}
