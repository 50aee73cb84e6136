package server

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/risk"
	"github.com/flowlens/flowlens/store"
)

// ja3Blocklist is one entry in the layout of abuse.ch's SSLBL JA3 list.
// The fingerprint is that of the client in webex.pcap.
const ja3Blocklist = `################################################################
# abuse.ch SSLBL JA3 Fingerprint Blacklist (test entry)
################################################################
# ja3_md5,Firstseen,Lastseen,Listingreason
dff8a0aa1c904aaea76c5bf624e88333,2017-07-15 19:04:27,2019-07-27 19:37:14,Tofsee
`

// TestThreatAlertsFromCaptures replays captures through the pipeline into
// the Alerter, as serve does, and checks that each threat raises its alert
// with the flow's endpoints and a description of the cause. nDPI reports
// the same risks on these flows. In dtls_certificate.pcapng it takes the
// first sender, the server on port 443, for the client.
func TestThreatAlertsFromCaptures(t *testing.T) {
	tests := []struct {
		name, capture, risk, severity string
		client, server                string
		description                   string
	}{
		{"JA3 on the blocklist", "webex.pcap", "malicious_fingerprint", "Medium",
			"10.8.0.1:33512", "80.74.110.68:443",
			"JA3 dff8a0aa1c904aaea76c5bf624e88333 is on the blocklist: Tofsee"},
		{"expired certificate", "dtls_certificate.pcapng", "tls_certificate_expired", "High",
			"163.205.15.180:38876", "191.62.60.190:443",
			"certificate expired 1090 days before this connection"},
		// The capture's clock reads 1 January 2000, before the
		// certificate's validity, which nDPI also calls expired.
		{"certificate not yet valid", "dnscrypt-v2-doh.pcap", "tls_certificate_expired", "High",
			"10.0.0.1:38186", "185.43.135.1:443",
			"certificate not valid until 7519 days after this connection"},
		{"TLS 1.0", "smtp-starttls.pcap", "tls_obsolete_version", "High",
			"10.0.0.1:57406", "173.194.68.26:25",
			"TLSv1 is deprecated by RFC 8996"},
		{"certificate for another name", "http_ipv6.pcap", "tls_certificate_mismatch", "High",
			"[2a00:d40:1:3:7aac:c0ff:fea7:d4c]:37494", "[2a03:b0c0:3:d0::70:1001]:443",
			"certificate names shop.ntop.org, www.shop.ntop.org do not cover SNI www.ntop.org"},
	}
	judge := newThreatJudge(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alerts := replayAlerts(t, judge, filepath.Join("testdata", "threats", tt.capture))
			got, _, err := alerts.Alerts(context.Background(), risk.AlertQuery{Risk: tt.risk, Size: 1000})
			if err != nil {
				t.Fatal(err)
			}
			client, server := netip.MustParseAddrPort(tt.client), netip.MustParseAddrPort(tt.server)
			var found []risk.Alert
			for _, a := range got {
				if netip.AddrPortFrom(a.ClientIP, a.ClientPort) == client &&
					netip.AddrPortFrom(a.ServerIP, a.ServerPort) == server {
					found = append(found, a)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d %s alerts for %s -> %s, want 1 (all %s alerts: %+v)",
					len(found), tt.risk, tt.client, tt.server, tt.risk, got)
			}
			a := found[0]
			if a.Severity != tt.severity {
				t.Errorf("severity %q, want %q", a.Severity, tt.severity)
			}
			if a.Description != tt.description {
				t.Errorf("description %q, want %q", a.Description, tt.description)
			}
			if a.Time.IsZero() {
				t.Error("alert without time")
			}
		})
	}
}

// newThreatJudge returns an Evaluator with serve's defaults and a JA3
// blocklist file written for the test.
func newThreatJudge(t *testing.T) *risk.Evaluator {
	t.Helper()
	blocklist := filepath.Join(t.TempDir(), "sslbl_ja3.csv")
	if err := os.WriteFile(blocklist, []byte(ja3Blocklist), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := risk.DefaultConfig()
	cfg.Blocklists.JA3 = []string{blocklist}
	judge, err := risk.New(context.Background(), cfg, risk.Dependencies{Ports: dpi.DefaultPorts})
	if err != nil {
		t.Fatal(err)
	}
	return judge
}

// replayAlerts runs the capture at path through a pipeline whose closed
// flows go to a new Alerter backed by an embedded store, and returns the
// Alerter's log once every flow has closed.
func replayAlerts(t *testing.T, judge *risk.Evaluator, path string) *risk.AlertLog {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	st := startStore(t, store.Config{DataDir: t.TempDir()}, logger)
	alerts := NewAlerter(judge, st, logger)
	p := pipeline.New(pipeline.DefaultConfig(), func(_ int, f *flow.Flow) { alerts.Closed(f.Record()) })
	runCapture(t, p, path)
	p.Close()
	alerts.Close()
	return alerts.Log()
}
