package dpi

// categoryOf returns the category nDPI gives a flow classified as
// master.app (app may be empty). nDPI reports the application's category,
// except under DNS: a DNS query for a service's name is still DNS traffic,
// so DNS.YouTube is "Network", not "Media". When the application has no
// category the master's is used. Host patterns and user rules can override
// the result per flow (see hostMatch.Category and Rules.CategoryForHost).
func categoryOf(master, app string) string {
	if app != "" && master != "DNS" {
		if p, ok := lookupProtocol(app); ok && p.Category != "" {
			return p.Category
		}
	}
	if p, ok := lookupProtocol(master); ok {
		return p.Category
	}
	return ""
}

// Category returns the category the flow has so far: the one its host
// name or the user's rules gave it, else its protocol's. It can change
// while the flow is inspected.
func (f *Flow) Category() string {
	if f.category != "" {
		return f.category
	}
	return categoryOf(f.Master, f.App)
}

// breedOf returns the breed nDPI gives a flow classified as master.app:
// the application's breed when there is an application, else the
// master's, and "Unrated" for a name the catalogue does not hold. Unlike
// the category, the breed follows the application under DNS as well.
func breedOf(master, app string) string {
	name := master
	if app != "" {
		name = app
	}
	if p, ok := lookupProtocol(name); ok && p.Breed != "" {
		return p.Breed
	}
	return "Unrated"
}
