package dpi

import (
	"testing"

	"github.com/flowlens/flowlens/record"
)

func TestAppFromHandshake(t *testing.T) {
	const fortiSubject = "C=US, ST=California, L=Sunnyvale, O=Fortinet, OU=FortiGate, CN=FWF60E4Q16012050"
	tests := []struct {
		name   string
		master string
		app    string
		tls    *record.TLS
		want   string
	}{
		{"anydesk relay", "TLS", "", &record.TLS{Cert: &record.Cert{
			Subject: "C=DE, O=philandro Software GmbH, CN=AnyNet Relay",
			Issuer:  "CN=AnyNet Root CA, O=philandro Software GmbH, C=DE"}}, "AnyDesk"},
		{"anydesk direct", "TLS", "", &record.TLS{Cert: &record.Cert{Subject: "CN=AnyDesk Client", Issuer: "CN=AnyDesk Client"}}, "AnyDesk"},
		{"anydesk alpn", "TLS", "", &record.TLS{ALPN: []string{"anydesk/6.2.0/linux"}}, "AnyDesk"},
		{"fortigate", "TLS", "", &record.TLS{Cert: &record.Cert{Subject: fortiSubject}}, "FortiClient"},
		{"fortinet other unit", "TLS", "", &record.TLS{Cert: &record.Cert{Subject: "O=Fortinet, OU=FortiMail"}}, ""},
		{"app already named", "TLS", "Google", &record.TLS{ALPN: []string{"anydesk/6.2.0/linux"}}, "Google"},
		{"not tls", "QUIC", "", &record.TLS{ALPN: []string{"anydesk/6.2.0/linux"}}, ""},
		{"no handshake", "TLS", "", nil, ""},
		{"no certificate", "TLS", "", &record.TLS{ALPN: []string{"h2"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Master: tt.master, App: tt.app, TLS: tt.tls}
			appFromHandshake(f)
			if f.App != tt.want {
				t.Errorf("app %q, want %q", f.App, tt.want)
			}
		})
	}
}
