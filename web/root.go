// Package web serves flowlens's web UI and its REST API: the live Active
// Flows table, flow details, per-application and per-host pages, alerts
// and the historical flows explorer.
//
// The pages are static HTML, CSS and JavaScript modules embedded in the
// binary. They build every value from the wire with textContent, and the
// server's Content-Security-Policy forbids inline script, so a host name
// or banner crafted as markup is shown as text.
package web

import (
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// server holds what the handlers share.
type server struct {
	cfg     Config
	live    Live
	history History
	alerts  Alerts
	geo     Locator
	logger  *slog.Logger
	static  fs.FS
}

// New returns the web UI and REST API as one handler. live, history and
// alerts are required; cfg.Geo and cfg.Risks are optional.
func New(cfg Config, live Live, history History, alerts Alerts, logger *slog.Logger) (http.Handler, error) {
	if live == nil || history == nil || alerts == nil {
		return nil, errors.New("web: live, history and alerts sources are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, live: live, history: history, alerts: alerts, geo: cfg.Geo, logger: logger, static: static}
	if s.geo == nil {
		s.geo = localOnly{}
	}

	var h http.Handler = s.checkQuery(s.routes())
	if cfg.Middleware != nil {
		h = cfg.Middleware(h)
	}
	return securityHeaders(h), nil
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for pattern, page := range map[string]string{
		"GET /{$}":        "active.html",
		"GET /flows/{id}": "flow.html",
		"GET /apps/{app}": "app.html",
		"GET /hosts/{ip}": "host.html",
		"GET /alerts":     "alerts.html",
		"GET /explorer":   "explorer.html",
		"GET /login":      "login.html",
	} {
		mux.Handle(pattern, s.page(page))
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticFiles()))

	mux.HandleFunc("GET /api/stats", s.handleStats)
	mux.HandleFunc("GET /api/flows/active", s.handleActiveFlows)
	mux.HandleFunc("GET /api/flows/{id}", s.handleFlow)
	mux.HandleFunc("GET /api/apps", s.handleApps)
	mux.HandleFunc("GET /api/apps/{app}/hosts", s.handleAppHosts)
	mux.HandleFunc("GET /api/hosts/{ip}", s.handleHost)
	mux.HandleFunc("GET /api/alerts", s.handleAlerts)
	mux.HandleFunc("GET /api/history/flows", s.handleHistoryFlows)
	mux.HandleFunc("GET /api/history/top", s.handleHistoryTop)
	mux.HandleFunc("GET /api/history/bytes", s.handleHistoryBytes)
	mux.HandleFunc("GET /api/history/span", s.handleHistorySpan)
	mux.HandleFunc("GET /api/history/export", s.handleHistoryExport)
	mux.HandleFunc("/api/", s.handleUnknownAPI)
	return mux
}

// handleUnknownAPI returns a JSON error for an API request that no endpoint
// takes, as the endpoints do for theirs.
func (s *server) handleUnknownAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: the API is read-only, use GET")
		return
	}
	s.writeError(w, r, http.StatusNotFound, "no API endpoint at "+r.URL.Path+": the README lists them")
}

// staticFiles serves the embedded scripts, styles and icons, and returns
// 404 for their folders rather than listing them.
func (s *server) staticFiles() http.Handler {
	files := http.FileServerFS(s.static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(r.URL.Path, "/")
		if info, err := fs.Stat(s.static, name); name == "" || (err == nil && info.IsDir()) {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// page serves one embedded HTML file; the page's script reads its
// parameters from the URL path.
func (s *server) page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := fs.ReadFile(s.static, name)
		if err != nil {
			s.logger.Error("web: embedded page missing", "page", name, "err", err)
			http.Error(w, "page not found", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}

// checkQuery rejects an API request whose query string does not decode,
// such as "filter=%zz". Go's URL.Query drops such a pair without a word,
// so the request would run as if the parameter were absent: a filter
// would match every flow.
func (s *server) checkQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
				s.writeError(w, r, http.StatusBadRequest, "invalid query string: "+err.Error())
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows scripts, styles, images and API calls from
// the server itself only, and no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
