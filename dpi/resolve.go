package dpi

import "strings"

// resolve settles a flow's application from what inspection found: the
// service behind its host name or, without one, behind its certificate's
// name, else a port guess for an unclaimed flow. The record computes
// category and breed from the result.
func (e *Engine) resolve(f *Flow) {
	appFromHandshake(f)
	if f.Master != "" && f.App == "" && f.Host != "" {
		e.resolveHost(f)
	}
	if f.Master != "" && f.App == "" && f.Host == "" {
		e.resolveCertificate(f)
	}
	if f.Master == "" {
		e.guess(f)
	}
}

// resolveHost names the service behind the flow's host name: the user's
// custom protocols first, as nDPI gives them priority, then the host table.
func (e *Engine) resolveHost(f *Flow) {
	f.resolvedHost = f.Host
	if app, ok := e.cfg.Rules.ProtocolByHost(f.Host); ok {
		f.App = app
	} else if m, ok := matchHostDetail(f.Host); ok && m.App != f.Master {
		f.App = m.App
		if f.Master != "DNS" {
			f.category = m.Category
		}
	}
	if cat, ok := e.cfg.Rules.CategoryForHost(f.Host); ok {
		f.category = cat
	}
}

// guess names a flow no dissector claimed: by the user's IP and port
// rules, by the server's port when port guessing is on, by the networks of
// well-known services, else Unknown.
func (e *Engine) guess(f *Flow) {
	rules := e.cfg.Rules
	if name, ok := rules.ProtocolByIP(f.Server.Addr(), f.Server.Port()); ok {
		f.Master, f.Confidence = name, "ip"
		return
	}
	if name, ok := rules.ProtocolByIP(f.Client.Addr(), f.Client.Port()); ok {
		f.Master, f.Confidence = name, "ip"
		return
	}
	if name, ok := rules.ProtocolByPort(f.Protocol, f.Server.Port()); ok {
		f.Master, f.Confidence = name, "port"
		return
	}
	if e.cfg.PortGuess {
		if name, ok := guessByPorts(f.Protocol, f.Server.Port(), f.Client.Port()); ok {
			f.Master, f.Confidence = name, "port"
			return
		}
	}
	if name, ok := guessByAddress(f); ok {
		f.Master, f.Confidence = name, "ip"
		return
	}
	f.Master, f.Confidence = "Unknown", "unknown"
}

// guessByAddress names an unclaimed flow after the service whose
// published networks hold the server's address, else the client's. nDPI
// does so only when no port guess applies, which the order in guess keeps.
func guessByAddress(f *Flow) (string, bool) {
	if name, ok := matchIP(f.Server.Addr()); ok {
		return name, true
	}
	return matchIP(f.Client.Addr())
}

// resolveCertificate names the service of a TLS or DTLS flow that sent no
// server name from the common name of the server's certificate, as nDPI
// does: a wildcard name "*.webex.com" matches as "webex.com".
func (e *Engine) resolveCertificate(f *Flow) {
	if f.TLS == nil || f.TLS.Cert == nil {
		return
	}
	name := strings.TrimPrefix(subjectCommonName(f.TLS.Cert.Subject), "*.")
	if name == "" {
		return
	}
	if app, ok := e.cfg.Rules.ProtocolByHost(name); ok {
		f.App = app
	} else if m, ok := matchHostDetail(name); ok && m.App != f.Master {
		f.App, f.category = m.App, m.Category
	}
}

// subjectCommonName returns the last CN attribute of a distinguished name
// written as "KEY=value" pairs joined by ", ". A value that itself holds
// ", " is cut there, which host names never do.
func subjectCommonName(subject string) string {
	for rest := subject; rest != ""; {
		i := strings.LastIndex(rest, "CN=")
		if i < 0 {
			return ""
		}
		if i == 0 || strings.HasSuffix(rest[:i], ", ") {
			value, _, _ := strings.Cut(rest[i+len("CN="):], ", ")
			return value
		}
		rest = rest[:i]
	}
	return ""
}
