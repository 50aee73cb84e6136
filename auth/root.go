// Package auth adds login to the web UI and REST API. It provides local
// users with bcrypt password hashes, session cookies with a CSRF token
// bound to each session, and API tokens for scripts (Authorization:
// Bearer). Users and tokens have a read-only or an admin role, and login
// attempts are rate-limited.
//
// Users and the hashes of API tokens live in one JSON file, usually
// users.json under the data directory. Sessions live in memory only.
package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "flowlens_session"

// CSRFHeader is the request header that carries the session's CSRF token
// on state-changing requests authenticated by the session cookie.
const CSRFHeader = "X-CSRF-Token"

// Auth checks every request of the web UI and API.
type Auth struct {
	cfg      Config
	accounts *accounts
	sessions *sessions
	byAddr   *limiter
	byUser   *limiter
	origin   *http.CrossOriginProtection
	logger   *slog.Logger
	now      func() time.Time
}

// New loads the users file that cfg names. It does not create a user; call
// EnsureAdmin before serving.
func New(cfg Config, logger *slog.Logger) (*Auth, error) {
	if cfg.File == "" {
		return nil, errors.New("auth: no users file configured")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	acc, err := loadAccounts(cfg.File)
	if err != nil {
		return nil, err
	}
	return &Auth{
		cfg: cfg, accounts: acc, sessions: newSessions(cfg.SessionTTL),
		byAddr: newLimiter(cfg.MaxFailures, cfg.FailureWindow),
		byUser: newLimiter(cfg.MaxFailures, cfg.FailureWindow),
		origin: http.NewCrossOriginProtection(), logger: logger, now: time.Now,
	}, nil
}

// EnsureAdmin creates the user "admin" with the admin role when the users
// file has no user yet. It uses password when it is not empty, and
// otherwise generates one and returns it so that the caller can show it
// once. It returns "" when users already existed or password was given.
func (a *Auth) EnsureAdmin(password string) (generated string, err error) {
	if a.accounts.userCount() > 0 {
		return "", nil
	}
	if password == "" {
		password = randomString(18)
		generated = password
	}
	if err := a.accounts.setUser("admin", password, RoleAdmin); err != nil {
		return "", err
	}
	a.logger.Info("created the first admin user", "user", "admin", "file", a.cfg.File)
	return generated, nil
}

// SetUser creates a user or replaces its password and role.
func (a *Auth) SetUser(name, password, role string) error {
	if err := a.accounts.setUser(name, password, role); err != nil {
		return err
	}
	a.sessions.deleteUser(name)
	return nil
}

// identity is who made a request.
type identity struct {
	name     string
	role     string
	session  string // session ID, empty for an API token
	csrf     string
	viaToken bool
}

type identityKey struct{}

func identityOf(ctx context.Context) (identity, bool) {
	id, ok := ctx.Value(identityKey{}).(identity)
	return id, ok
}

// authenticate returns the identity behind a request's bearer token or
// session cookie.
func (a *Auth) authenticate(r *http.Request) (identity, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return identity{}, false
		}
		t, ok := a.accounts.lookupToken(strings.TrimSpace(secret))
		if !ok {
			return identity{}, false
		}
		return identity{name: "token:" + t.Name, role: t.Role, viaToken: true}, true
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return identity{}, false
	}
	sess, ok := a.sessions.get(c.Value, a.now())
	if !ok {
		return identity{}, false
	}
	role, ok := a.accounts.role(sess.user)
	if !ok {
		a.sessions.delete(c.Value)
		return identity{}, false
	}
	return identity{name: sess.user, role: role, session: c.Value, csrf: sess.csrf}, true
}

// checkCSRF accepts a state-changing request made with a session only
// when it carries the session's CSRF token. Token requests need none,
// because browsers never add an Authorization header by themselves.
func checkCSRF(r *http.Request, id identity) bool {
	if id.viaToken {
		return true
	}
	got := r.Header.Get(CSRFHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(id.csrf)) == 1
}

func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// public reports whether a request may go through without login: the
// login page and the static files it needs.
func public(r *http.Request) bool {
	if !safeMethod(r.Method) {
		return false
	}
	return r.URL.Path == "/login" || strings.HasPrefix(r.URL.Path, "/static/")
}
