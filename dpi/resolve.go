package dpi

// resolve settles a flow's application from what inspection found: the
// service behind its host name, else a port guess for an unclaimed flow,
// then the category and breed of the result.
func (e *Engine) resolve(f *Flow) {
	if f.Master != "" && f.App == "" && f.Host != "" {
		if app, ok := matchHost(f.Host); ok && app != f.Master {
			f.App = app
		}
	}
	if f.Master == "" {
		e.guess(f)
	}
	f.Category = categoryOf(f.Master, f.App)
	f.Breed = breedOf(f.Master, f.App)
}

// guess names a flow no dissector claimed: by the server's port when port
// guessing is on, else Unknown.
func (e *Engine) guess(f *Flow) {
	if e.cfg.PortGuess {
		if name, ok := guessByPort(f.Protocol, f.Server.Port()); ok {
			f.Master, f.Confidence = name, "port"
			return
		}
		if name, ok := guessByPort(f.Protocol, f.Client.Port()); ok {
			f.Master, f.Confidence = name, "port"
			return
		}
	}
	f.Master, f.Confidence = "Unknown", "unknown"
}
