package dpi

import (
	"strings"

	"github.com/flowlens/flowlens/record"
)

// This file names applications that show themselves in a TLS handshake
// rather than in its server name: in their certificates' names or in an
// ALPN identifier of their own.

// handshakeApp is one such application and what identifies it.
type handshakeApp struct {
	app string
	// subjectParts and issuerParts must all appear in the certificate's
	// subject and issuer, and alpnPrefix must start one of the client's
	// ALPN protocols. Empty fields are not checked; an entry with only
	// alpnPrefix set matches on the ALPN alone.
	subjectParts, issuerParts []string
	alpnPrefix                string
}

// handshakeApps lists the applications in the order they are tried.
// AnyDesk's relays present certificates issued by "AnyNet Root CA", its
// direct connections self-signed "AnyDesk Client" ones, and its clients
// send an ALPN of "anydesk/<version>/<platform>". FortiGate firewalls
// serve their SSL VPN, which FortiClient connects to, with certificates
// of Fortinet's FortiGate unit.
var handshakeApps = [...]handshakeApp{
	{app: "AnyDesk", issuerParts: []string{"CN=AnyNet Root CA"}},
	{app: "AnyDesk", subjectParts: []string{"CN=AnyDesk Client"}},
	{app: "AnyDesk", alpnPrefix: "anydesk/"},
	{app: "FortiClient", subjectParts: []string{"O=Fortinet", "OU=FortiGate"}},
}

// appFromHandshake names the application of a TLS flow that has none yet
// from its handshake.
func appFromHandshake(f *Flow) {
	if f.Master != "TLS" || f.App != "" || f.TLS == nil {
		return
	}
	for _, h := range handshakeApps {
		if h.matches(f.TLS.Cert, f.TLS.ALPN) {
			f.App = h.app
			return
		}
	}
}

func (h *handshakeApp) matches(cert *record.Cert, alpn []string) bool {
	if h.alpnPrefix != "" {
		for _, a := range alpn {
			if strings.HasPrefix(a, h.alpnPrefix) {
				return true
			}
		}
		return false
	}
	if cert == nil {
		return false
	}
	return containsAll(cert.Subject, h.subjectParts) && containsAll(cert.Issuer, h.issuerParts)
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
