package dpi

import (
	"net/netip"
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

func TestGuessByAddress(t *testing.T) {
	google := netip.MustParseAddrPort("8.8.8.8:4000")
	private := netip.MustParseAddrPort("192.168.1.2:5000")
	tests := []struct {
		name           string
		client, server netip.AddrPort
		want           string
		ok             bool
	}{
		{"server address", private, google, "Google", true},
		{"client address", google, private, "Google", true},
		{"no known network", private, netip.MustParseAddrPort("192.168.1.3:6000"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := guessByAddress(&Flow{Client: tt.client, Server: tt.server})
			if got != tt.want || ok != tt.ok {
				t.Errorf("guessByAddress = %q, %v, want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestGuessPrefersPort checks that a port guess wins over the address, as
// in nDPI's results where TLS flows to Google's networks stay TLS.
func TestGuessPrefersPort(t *testing.T) {
	e := NewEngine(DefaultConfig())
	f := &Flow{Protocol: ipProtoTCP, Client: netip.MustParseAddrPort("192.168.1.2:50000"), Server: netip.MustParseAddrPort("8.8.8.8:443")}
	e.guess(f)
	if f.Master != "TLS" || f.Confidence != "port" {
		t.Errorf("master, confidence = %q, %q, want TLS, port", f.Master, f.Confidence)
	}
	f = &Flow{Protocol: ipProtoUDP, Client: netip.MustParseAddrPort("192.168.1.2:50000"), Server: netip.MustParseAddrPort("8.8.8.8:40000")}
	e.guess(f)
	if f.Master != "Google" || f.Confidence != "ip" {
		t.Errorf("master, confidence = %q, %q, want Google, ip", f.Master, f.Confidence)
	}
}
