package auth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Middleware wraps the web UI and API so that every request needs a login,
// except the login page and static files. It serves the login and account
// API under /api/auth/ itself. Cross-origin state-changing requests are
// rejected by their Sec-Fetch-Site or Origin header before anything else.
func (a *Auth) Middleware(next http.Handler) http.Handler {
	api := a.apiRoutes()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			// Browsers that saw the site over HTTPS then refuse to send
			// the session cookie over plain HTTP for a year.
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(r.URL.Path, "/api/auth/") {
			api.ServeHTTP(w, r)
			return
		}
		if public(r) {
			next.ServeHTTP(w, r)
			return
		}
		id, ok := a.authenticate(r)
		if !ok {
			a.reject(w, r)
			return
		}
		if !safeMethod(r.Method) {
			if id.role != RoleAdmin {
				writeError(w, http.StatusForbidden, "this account is read-only")
				return
			}
			if !checkCSRF(r, id) {
				writeError(w, http.StatusForbidden, "missing or invalid "+CSRFHeader+" header")
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
	a.origin.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request rejected")
	}))
	return a.origin.Handler(h)
}

// reject responds to a request without a valid login. Pages redirect to
// the login page and API calls get 401.
func (a *Auth) reject(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/metrics" {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="flowlens"`)
	writeError(w, http.StatusUnauthorized, "login required: sign in at /login or send an API token as Authorization: Bearer")
}
