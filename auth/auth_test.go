package auth

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const adminPassword = "correct horse battery"

// newTestAuth returns an Auth over a users file in a temporary folder,
// with an admin user, and a handler that wraps a stand-in for the web UI.
func newTestAuth(t *testing.T) (*Auth, http.Handler) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.File = filepath.Join(t.TempDir(), "users.json")
	a, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.EnsureAdmin(adminPassword); err != nil {
		t.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("web UI"))
	})
	return a, a.Middleware(next)
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends one request straight to h from the given client address.
func do(h http.Handler, method, path, body, addr string, header map[string]string) response {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = addr
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return response{w.Code, w.Header(), w.Body.String()}
}

func loginBody(user, password string) string {
	b, _ := json.Marshal(loginRequest{User: user, Password: password})
	return string(b)
}

// login signs in and returns the session cookie and the CSRF token.
func login(t *testing.T, h http.Handler, user, password string) (*http.Cookie, string) {
	t.Helper()
	r := httptest.NewRequest("POST", "/api/auth/login", strings.NewReader(loginBody(user, password)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("login as %s: status %d: %s", user, w.Code, w.Body)
	}
	var info sessionInfo
	if err := json.Unmarshal(w.Body.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != SessionCookie {
		t.Fatalf("login set cookies %v, want one %s", cookies, SessionCookie)
	}
	return cookies[0], info.CSRFToken
}

func sessionHeader(c *http.Cookie, csrf string) map[string]string {
	h := map[string]string{"Cookie": c.Name + "=" + c.Value}
	if csrf != "" {
		h[CSRFHeader] = csrf
	}
	return h
}

func TestRequestWithoutLoginRejected(t *testing.T) {
	_, h := newTestAuth(t)
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/api/flows/active", http.StatusUnauthorized},
		{"GET", "/api/auth/users", http.StatusUnauthorized},
		{"GET", "/metrics", http.StatusUnauthorized},
		{"GET", "/explorer", http.StatusSeeOther},
		{"GET", "/login", http.StatusOK},
		{"GET", "/static/style.css", http.StatusOK},
		{"POST", "/static/style.css", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		got := do(h, tt.method, tt.path, "", "192.0.2.1:1000", nil)
		if got.status != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, got.status, tt.want)
		}
	}
	got := do(h, "GET", "/explorer?filter=x", "", "192.0.2.1:1000", nil)
	if loc := got.header.Get("Location"); loc != "/login?next=%2Fexplorer%3Ffilter%3Dx" {
		t.Errorf("redirect Location = %q, want the login page with next", loc)
	}
	forged := map[string]string{"Cookie": SessionCookie + "=not-a-session"}
	if got := do(h, "GET", "/api/stats", "", "192.0.2.1:1000", forged); got.status != http.StatusUnauthorized {
		t.Errorf("unknown session cookie: status %d, want 401", got.status)
	}
}

func TestSessionGrantsAccess(t *testing.T) {
	_, h := newTestAuth(t)
	c, _ := login(t, h, "admin", adminPassword)
	got := do(h, "GET", "/api/stats", "", "192.0.2.1:1000", sessionHeader(c, ""))
	if got.status != http.StatusOK || got.body != "web UI" {
		t.Errorf("GET with session: status %d body %q, want 200 from the web UI", got.status, got.body)
	}
	if got := do(h, "POST", "/api/auth/logout", "", "192.0.2.1:1000", sessionHeader(c, "")); got.status != http.StatusForbidden {
		t.Errorf("logout without CSRF token: status %d, want 403", got.status)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	_, h := newTestAuth(t)
	c, csrf := login(t, h, "admin", adminPassword)
	if got := do(h, "POST", "/api/auth/logout", "", "192.0.2.1:1000", sessionHeader(c, csrf)); got.status != http.StatusNoContent {
		t.Fatalf("logout: status %d: %s", got.status, got.body)
	}
	if got := do(h, "GET", "/api/stats", "", "192.0.2.1:1000", sessionHeader(c, "")); got.status != http.StatusUnauthorized {
		t.Errorf("GET after logout: status %d, want 401", got.status)
	}
}

func TestSessionExpires(t *testing.T) {
	a, h := newTestAuth(t)
	c, _ := login(t, h, "admin", adminPassword)
	a.now = func() time.Time { return time.Now().Add(a.cfg.SessionTTL + time.Second) }
	if got := do(h, "GET", "/api/stats", "", "192.0.2.1:1000", sessionHeader(c, "")); got.status != http.StatusUnauthorized {
		t.Errorf("GET after the session's lifetime: status %d, want 401", got.status)
	}
}

func TestCookieAttributes(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		_, h := newTestAuth(t)
		var srv *httptest.Server
		if useTLS {
			srv = httptest.NewTLSServer(h)
		} else {
			srv = httptest.NewServer(h)
		}
		resp, err := srv.Client().Post(srv.URL+"/api/auth/login", "application/json", strings.NewReader(loginBody("admin", adminPassword)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		setCookie := resp.Header.Get("Set-Cookie")
		for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
			if !strings.Contains(setCookie, attr) {
				t.Errorf("TLS %v: Set-Cookie %q lacks %s", useTLS, setCookie, attr)
			}
		}
		if got := strings.Contains(setCookie, "Secure"); got != useTLS {
			t.Errorf("TLS %v: Set-Cookie %q has Secure = %v, want %v", useTLS, setCookie, got, useTLS)
		}
	}
}

func TestCrossSitePostRejected(t *testing.T) {
	_, h := newTestAuth(t)
	c, csrf := login(t, h, "admin", adminPassword)
	body := `{"name":"ci","role":"read-only"}`
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site other origin", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign Origin", map[string]string{"Origin": "https://attacker.example"}, http.StatusForbidden},
		{"no CSRF token", map[string]string{"Sec-Fetch-Site": "same-origin", CSRFHeader: ""}, http.StatusForbidden},
		{"wrong CSRF token", map[string]string{"Sec-Fetch-Site": "same-origin", CSRFHeader: "guess"}, http.StatusForbidden},
		{"same origin with token", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := sessionHeader(c, csrf)
			for k, v := range tt.header {
				header[k] = v
			}
			if v, ok := tt.header[CSRFHeader]; ok && v == "" {
				delete(header, CSRFHeader)
			}
			got := do(h, "POST", "/api/auth/tokens", body, "192.0.2.1:1000", header)
			if got.status != tt.want {
				t.Errorf("status %d, want %d: %s", got.status, tt.want, got.body)
			}
		})
	}
	loginForged := do(h, "POST", "/api/auth/login", loginBody("admin", adminPassword), "192.0.2.1:1000",
		map[string]string{"Origin": "https://attacker.example"})
	if loginForged.status != http.StatusForbidden {
		t.Errorf("cross-site login: status %d, want 403", loginForged.status)
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	a, h := newTestAuth(t)
	for i := 0; i < a.cfg.MaxFailures; i++ {
		user := "user" + string(rune('a'+i)) // a new user each time, so only the address limit applies
		if got := do(h, "POST", "/api/auth/login", loginBody(user, "wrong password"), "192.0.2.7:1000", nil); got.status != http.StatusUnauthorized {
			t.Fatalf("failed login %d: status %d, want 401", i+1, got.status)
		}
	}
	got := do(h, "POST", "/api/auth/login", loginBody("admin", adminPassword), "192.0.2.7:2000", nil)
	if got.status != http.StatusTooManyRequests {
		t.Errorf("login after %d failures: status %d, want 429", a.cfg.MaxFailures, got.status)
	}
	if got.header.Get("Retry-After") == "" {
		t.Error("429 response has no Retry-After header")
	}
	if got := do(h, "POST", "/api/auth/login", loginBody("admin", adminPassword), "192.0.2.8:1000", nil); got.status != http.StatusOK {
		t.Errorf("login from another address: status %d, want 200", got.status)
	}
	a.now = func() time.Time { return time.Now().Add(a.cfg.FailureWindow) }
	if got := do(h, "POST", "/api/auth/login", loginBody("admin", adminPassword), "192.0.2.7:1000", nil); got.status != http.StatusOK {
		t.Errorf("login after the window: status %d, want 200", got.status)
	}
}

func TestLoginRateLimitPerUser(t *testing.T) {
	a, h := newTestAuth(t)
	for i := 0; i < a.cfg.MaxFailures; i++ {
		addr := "198.51.100." + string(rune('1'+i)) + ":1000" // a new address each time
		if got := do(h, "POST", "/api/auth/login", loginBody("admin", "wrong password"), addr, nil); got.status != http.StatusUnauthorized {
			t.Fatalf("failed login %d: status %d, want 401", i+1, got.status)
		}
	}
	if got := do(h, "POST", "/api/auth/login", loginBody("admin", adminPassword), "203.0.113.9:1000", nil); got.status != http.StatusTooManyRequests {
		t.Errorf("login as admin after %d failures from other addresses: status %d, want 429", a.cfg.MaxFailures, got.status)
	}
}

func TestAPITokens(t *testing.T) {
	a, h := newTestAuth(t)
	c, csrf := login(t, h, "admin", adminPassword)
	create := func(role string) createdToken {
		got := do(h, "POST", "/api/auth/tokens", `{"name":"script","role":"`+role+`"}`, "192.0.2.1:1000", sessionHeader(c, csrf))
		if got.status != http.StatusCreated {
			t.Fatalf("create %s token: status %d: %s", role, got.status, got.body)
		}
		var ct createdToken
		if err := json.Unmarshal([]byte(got.body), &ct); err != nil {
			t.Fatal(err)
		}
		return ct
	}
	reader, admin := create(RoleReadOnly), create(RoleAdmin)
	bearer := func(secret string) map[string]string { return map[string]string{"Authorization": "Bearer " + secret} }

	if got := do(h, "GET", "/api/stats", "", "192.0.2.2:1000", bearer(reader.Secret)); got.status != http.StatusOK {
		t.Errorf("GET with read-only token: status %d, want 200", got.status)
	}
	if got := do(h, "GET", "/api/auth/tokens", "", "192.0.2.2:1000", bearer(reader.Secret)); got.status != http.StatusForbidden {
		t.Errorf("list tokens with read-only token: status %d, want 403", got.status)
	}
	if got := do(h, "POST", "/api/auth/tokens", `{"name":"x","role":"admin"}`, "192.0.2.2:1000", bearer(admin.Secret)); got.status != http.StatusCreated {
		t.Errorf("create token with admin token and no CSRF header: status %d, want 201", got.status)
	}
	if got := do(h, "GET", "/api/stats", "", "192.0.2.2:1000", bearer(reader.Secret+"x")); got.status != http.StatusUnauthorized {
		t.Errorf("GET with a wrong token: status %d, want 401", got.status)
	}
	if got := do(h, "DELETE", "/api/auth/tokens/"+reader.ID, "", "192.0.2.1:1000", sessionHeader(c, csrf)); got.status != http.StatusNoContent {
		t.Fatalf("delete token: status %d: %s", got.status, got.body)
	}
	if got := do(h, "GET", "/api/stats", "", "192.0.2.2:1000", bearer(reader.Secret)); got.status != http.StatusUnauthorized {
		t.Errorf("GET with a deleted token: status %d, want 401", got.status)
	}

	data, err := os.ReadFile(a.cfg.File)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(admin.Secret)) || !bytes.Contains(data, []byte(hashToken(admin.Secret))) {
		t.Error("the users file must hold the token's hash and not the token")
	}
}

func TestReadOnlyUser(t *testing.T) {
	_, h := newTestAuth(t)
	admin, csrf := login(t, h, "admin", adminPassword)
	got := do(h, "PUT", "/api/auth/users/alice", `{"password":"alice's long password","role":"read-only"}`, "192.0.2.1:1000", sessionHeader(admin, csrf))
	if got.status != http.StatusOK {
		t.Fatalf("create user: status %d: %s", got.status, got.body)
	}
	alice, aliceCSRF := login(t, h, "alice", "alice's long password")
	if got := do(h, "GET", "/explorer", "", "192.0.2.3:1000", sessionHeader(alice, "")); got.status != http.StatusOK {
		t.Errorf("read-only user GET page: status %d, want 200", got.status)
	}
	if got := do(h, "GET", "/api/auth/users", "", "192.0.2.3:1000", sessionHeader(alice, "")); got.status != http.StatusForbidden {
		t.Errorf("read-only user lists users: status %d, want 403", got.status)
	}
	if got := do(h, "POST", "/api/anything", "", "192.0.2.3:1000", sessionHeader(alice, aliceCSRF)); got.status != http.StatusForbidden {
		t.Errorf("read-only user POST: status %d, want 403", got.status)
	}
	if got := do(h, "DELETE", "/api/auth/users/alice", "", "192.0.2.1:1000", sessionHeader(admin, csrf)); got.status != http.StatusNoContent {
		t.Fatalf("delete user: status %d: %s", got.status, got.body)
	}
	if got := do(h, "GET", "/explorer", "", "192.0.2.3:1000", sessionHeader(alice, "")); got.status != http.StatusSeeOther {
		t.Errorf("deleted user's session: status %d, want 303 to the login page", got.status)
	}
}

func TestEnsureAdminGeneratesOnce(t *testing.T) {
	cfg := DefaultConfig()
	cfg.File = filepath.Join(t.TempDir(), "data", "users.json")
	a, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	generated, err := a.EnsureAdmin("")
	if err != nil {
		t.Fatal(err)
	}
	if len(generated) < minPasswordLength {
		t.Fatalf("generated password %q is shorter than %d", generated, minPasswordLength)
	}
	info, err := os.Stat(cfg.File)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("users file mode %v, want 0600", info.Mode().Perm())
	}

	reloaded, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := reloaded.EnsureAdmin("")
	if err != nil || again != "" {
		t.Errorf("second EnsureAdmin = %q, %v; want no new password", again, err)
	}
	if _, ok := reloaded.accounts.verify("admin", generated); !ok {
		t.Error("the generated password does not log in after a reload")
	}
}

func TestPasswordRules(t *testing.T) {
	a, _ := newTestAuth(t)
	tests := []struct {
		name, user, password, role string
		ok                         bool
	}{
		{"valid", "bob", "a long enough password", RoleReadOnly, true},
		{"short password", "bob", "short", RoleReadOnly, false},
		{"password over 72 bytes", "bob", strings.Repeat("p", 73), RoleReadOnly, false},
		{"unknown role", "bob", "a long enough password", "root", false},
		{"space in name", "bo b", "a long enough password", RoleReadOnly, false},
		{"empty name", "", "a long enough password", RoleReadOnly, false},
	}
	for _, tt := range tests {
		err := a.SetUser(tt.user, tt.password, tt.role)
		if (err == nil) != tt.ok {
			t.Errorf("%s: SetUser error = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// TestBrowserFlow drives a login through a real HTTP server with a cookie
// jar, as a browser's fetch would.
func TestBrowserFlow(t *testing.T) {
	_, h := newTestAuth(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Post(srv.URL+"/api/auth/login", "application/json", strings.NewReader(loginBody("admin", adminPassword)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = client.Get(srv.URL + "/api/auth/session")
	if err != nil {
		t.Fatal(err)
	}
	var info sessionInfo
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if info.User != "admin" || info.Role != RoleAdmin || info.CSRFToken == "" {
		t.Errorf("session = %+v, want admin with a CSRF token", info)
	}
}

func TestLastAdminKept(t *testing.T) {
	_, h := newTestAuth(t)
	c, csrf := login(t, h, "admin", adminPassword)
	demote := do(h, "PUT", "/api/auth/users/admin", `{"password":"a new long password","role":"read-only"}`, "192.0.2.1:1000", sessionHeader(c, csrf))
	if demote.status != http.StatusConflict {
		t.Errorf("demote the only admin: status %d, want 409: %s", demote.status, demote.body)
	}
	got := do(h, "PUT", "/api/auth/users/root", `{"password":"root's long password","role":"admin"}`, "192.0.2.1:1000", sessionHeader(c, csrf))
	if got.status != http.StatusOK {
		t.Fatalf("create a second admin: status %d: %s", got.status, got.body)
	}
	root, rootCSRF := login(t, h, "root", "root's long password")
	if got := do(h, "DELETE", "/api/auth/users/admin", "", "192.0.2.1:1000", sessionHeader(root, rootCSRF)); got.status != http.StatusNoContent {
		t.Errorf("delete one of two admins: status %d, want 204: %s", got.status, got.body)
	}
	token := do(h, "POST", "/api/auth/tokens", `{"name":"ops","role":"admin"}`, "192.0.2.1:1000", sessionHeader(root, rootCSRF))
	var ct createdToken
	if err := json.Unmarshal([]byte(token.body), &ct); err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + ct.Secret}
	if got := do(h, "DELETE", "/api/auth/users/root", "", "192.0.2.1:1000", bearer); got.status != http.StatusConflict {
		t.Errorf("delete the last admin with a token: status %d, want 409: %s", got.status, got.body)
	}
}

func TestHSTSUnderTLS(t *testing.T) {
	_, h := newTestAuth(t)
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got == "" {
		t.Error("HTTPS response lacks Strict-Transport-Security")
	}
	plain := do(h, "GET", "/login", "", "192.0.2.1:1000", nil)
	if got := plain.header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain HTTP response has Strict-Transport-Security %q", got)
	}
}
