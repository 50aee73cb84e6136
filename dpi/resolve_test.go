package dpi

import (
	"testing"

	"github.com/flowlens/flowlens/record"
)

func TestSubjectCommonName(t *testing.T) {
	tests := []struct{ subject, want string }{
		{"C=us, ST=California, L=San Jose, O=Cisco Systems, Inc., OU=CSG, CN=*.webex.com", "*.webex.com"},
		{"CN=pitangui.amazon.com", "pitangui.amazon.com"},
		{"CN=AnyDesk Client, CN=AnyDesk Client", "AnyDesk Client"},
		{"CN=www.example.com, O=Example", "www.example.com"},
		{"O=ACN=x, C=US", ""},
		{"C=US, O=No Common Name", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := subjectCommonName(tt.subject); got != tt.want {
			t.Errorf("subjectCommonName(%q) = %q, want %q", tt.subject, got, tt.want)
		}
	}
}

// TestResolveCertificate checks the service found from the certificate of
// flows without a server name, with subjects from nDPI's test captures
// (webex.pcap, KakaoTalk_chat.pcap).
func TestResolveCertificate(t *testing.T) {
	tests := []struct {
		name    string
		master  string
		host    string
		subject string
		wantApp string
	}{
		{"wildcard name", "TLS", "", "C=us, O=Cisco Systems, Inc., OU=CSG, CN=*.webex.com", "Webex"},
		{"DTLS", "DTLS", "", "CN=*.facebook.com", "Facebook"},
		{"unknown name", "TLS", "", "CN=AnyNet Relay", ""},
		{"server name sent", "TLS", "example.org", "CN=*.webex.com", ""},
	}
	e := NewEngine(DefaultConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Master: tt.master, Host: tt.host, TLS: &record.TLS{Cert: &record.Cert{Subject: tt.subject}}}
			e.resolve(f)
			if f.App != tt.wantApp {
				t.Errorf("app = %q, want %q", f.App, tt.wantApp)
			}
		})
	}
}
