package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// maxRequestBody bounds the JSON body of an account request.
const maxRequestBody = 16 << 10

func (a *Auth) apiRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", a.handleLogin)
	mux.Handle("POST /api/auth/logout", a.require("", a.handleLogout))
	mux.Handle("GET /api/auth/session", a.require("", a.handleSession))
	mux.Handle("GET /api/auth/users", a.require(RoleAdmin, a.handleListUsers))
	mux.Handle("PUT /api/auth/users/{name}", a.require(RoleAdmin, a.handleSetUser))
	mux.Handle("DELETE /api/auth/users/{name}", a.require(RoleAdmin, a.handleDeleteUser))
	mux.Handle("GET /api/auth/tokens", a.require(RoleAdmin, a.handleListTokens))
	mux.Handle("POST /api/auth/tokens", a.require(RoleAdmin, a.handleCreateToken))
	mux.Handle("DELETE /api/auth/tokens/{id}", a.require(RoleAdmin, a.handleDeleteToken))
	return mux
}

// require authenticates a request, checks its CSRF token when it changes
// state, and checks its role when role is not empty.
func (a *Auth) require(role string, h func(http.ResponseWriter, *http.Request, identity)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := a.authenticate(r)
		if !ok {
			a.reject(w, r)
			return
		}
		if role != "" && id.role != role {
			writeError(w, http.StatusForbidden, "this needs the "+role+" role")
			return
		}
		if !safeMethod(r.Method) && !checkCSRF(r, id) {
			writeError(w, http.StatusForbidden, "missing or invalid "+CSRFHeader+" header")
			return
		}
		h(w, r, id)
	})
}

type loginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// sessionInfo is the response body of the login and session calls.
type sessionInfo struct {
	User      string `json:"user"`
	Role      string `json:"role"`
	CSRFToken string `json:"csrf_token,omitempty"`
}

func (a *Auth) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !readJSON(w, r, &req) {
		return
	}
	now := a.now()
	addrKey, userKey := clientAddr(r), req.User
	if limited, wait := a.limited(addrKey, userKey, now); limited {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
		return
	}
	u, ok := a.accounts.verify(req.User, req.Password)
	if !ok {
		a.byAddr.fail(addrKey, now)
		a.byUser.fail(userKey, now)
		a.logger.Warn("failed login", "user", req.User, "addr", addrKey)
		writeError(w, http.StatusUnauthorized, "invalid user name or password")
		return
	}
	a.byAddr.reset(addrKey)
	a.byUser.reset(userKey)
	id, sess := a.sessions.create(u.Name, now)
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: id, Path: "/", Expires: sess.expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: a.cfg.SecureCookies || r.TLS != nil,
	})
	a.logger.Info("login", "user", u.Name, "addr", addrKey)
	writeJSON(w, http.StatusOK, sessionInfo{User: u.Name, Role: u.Role, CSRFToken: sess.csrf})
}

// limited reports whether the client address or the user name has used
// up its failed logins, and for how long.
func (a *Auth) limited(addr, user string, now time.Time) (bool, time.Duration) {
	if blocked, wait := a.byAddr.blocked(addr, now); blocked {
		return true, wait
	}
	return a.byUser.blocked(user, now)
}

func (a *Auth) handleLogout(w http.ResponseWriter, r *http.Request, id identity) {
	if id.session != "" {
		a.sessions.delete(id.session)
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: a.cfg.SecureCookies || r.TLS != nil,
	})
	w.WriteHeader(http.StatusNoContent)
}

func (a *Auth) handleSession(w http.ResponseWriter, _ *http.Request, id identity) {
	writeJSON(w, http.StatusOK, sessionInfo{User: id.name, Role: id.role, CSRFToken: id.csrf})
}

func (a *Auth) handleListUsers(w http.ResponseWriter, _ *http.Request, _ identity) {
	writeJSON(w, http.StatusOK, a.accounts.listUsers())
}

type setUserRequest struct {
	Password string `json:"password"`
	Role     string `json:"role"`
}

func (a *Auth) handleSetUser(w http.ResponseWriter, r *http.Request, id identity) {
	var req setUserRequest
	if !readJSON(w, r, &req) {
		return
	}
	name := r.PathValue("name")
	if err := a.SetUser(name, req.Password, req.Role); errors.Is(err, ErrLastAdmin) {
		writeAccountError(w, err)
		return
	} else if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.logger.Info("user set", "user", name, "role", req.Role, "by", id.name)
	writeJSON(w, http.StatusOK, User{Name: name, Role: req.Role})
}

func (a *Auth) handleDeleteUser(w http.ResponseWriter, r *http.Request, id identity) {
	name := r.PathValue("name")
	if name == id.name {
		writeError(w, http.StatusBadRequest, "an admin cannot delete their own account: sign in as another admin")
		return
	}
	if err := a.accounts.deleteUser(name); err != nil {
		writeAccountError(w, err)
		return
	}
	a.sessions.deleteUser(name)
	a.logger.Info("user deleted", "user", name, "by", id.name)
	w.WriteHeader(http.StatusNoContent)
}

func (a *Auth) handleListTokens(w http.ResponseWriter, _ *http.Request, _ identity) {
	writeJSON(w, http.StatusOK, a.accounts.listTokens())
}

type createTokenRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// createdToken is the response to a token creation, the only response
// that contains the secret.
type createdToken struct {
	Token
	Secret string `json:"token"`
}

func (a *Auth) handleCreateToken(w http.ResponseWriter, r *http.Request, id identity) {
	var req createTokenRequest
	if !readJSON(w, r, &req) {
		return
	}
	t, secret, err := a.accounts.createToken(req.Name, req.Role, a.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.logger.Info("API token created", "token", t.ID, "name", t.Name, "role", t.Role, "by", id.name)
	writeJSON(w, http.StatusCreated, createdToken{Token: t, Secret: secret})
}

func (a *Auth) handleDeleteToken(w http.ResponseWriter, r *http.Request, id identity) {
	if err := a.accounts.deleteToken(r.PathValue("id")); err != nil {
		writeAccountError(w, err)
		return
	}
	a.logger.Info("API token deleted", "token", r.PathValue("id"), "by", id.name)
	w.WriteHeader(http.StatusNoContent)
}

// clientAddr returns the address the request came from, without its
// port. Forwarding headers are ignored because any client can set them.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, maxRequestBody)
	if err := json.NewDecoder(body).Decode(v); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid JSON body: %v", err))
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeAccountError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	if errors.Is(err, ErrLastAdmin) {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	writeError(w, http.StatusInternalServerError, err.Error())
}
