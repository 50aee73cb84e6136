package web

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/flowlens/flowlens/auth"
)

// TestBrowserLogin signs in through the login page, under the server's
// Content-Security-Policy, and lands on the page that asked for a login.
func TestBrowserLogin(t *testing.T) {
	cfg := auth.DefaultConfig()
	cfg.File = filepath.Join(t.TempDir(), "users.json")
	a, err := auth.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.EnsureAdmin("browser test password"); err != nil {
		t.Fatal(err)
	}
	flows := loadFlows(t, "flows.jsonl", "hostile.jsonl", "dns-typed.jsonl")
	h, err := New(Config{Geo: fakeLocator{}, Risks: riskTable(testRisks), Middleware: a.Middleware},
		newFakeLive(flows), &fakeHistory{flows: flows}, newFakeAlerts(flows), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowserOn(t, &testEnv{handler: h, flows: flows})

	b.Open(t, "/alerts", "#login")
	if path := evalJS[string](t, b, `location.pathname + location.search`); path != "/login?next=%2Falerts" {
		t.Errorf("unauthenticated page went to %q, want the login page", path)
	}
	b.Do(t, chromedp.SendKeys("#user", "admin"), chromedp.SendKeys("#password", "wrong password"), chromedp.Click(`#login button`))
	b.WaitFor(t, "error message", `document.getElementById('message').textContent !== ''`)
	if msg := evalJS[string](t, b, `document.getElementById('message').textContent`); msg != "invalid user name or password" {
		t.Errorf("message after a wrong password = %q", msg)
	}
	b.Screenshot(t, "login-failed")

	evalJS[string](t, b, `document.getElementById('password').value = ''`)
	b.Do(t, chromedp.SendKeys("#password", "browser test password"))
	b.Follow(t, `#login button`)
	b.Do(t, chromedp.WaitVisible(`#alerts tbody tr`))
	if path := evalJS[string](t, b, `location.pathname`); path != "/alerts" {
		t.Errorf("after login the browser is at %q, want /alerts", path)
	}
	b.Do(t, chromedp.WaitVisible(`#signout`))
	if user := evalJS[string](t, b, `document.querySelector('#topbar .session .user').textContent`); user != "admin" {
		t.Errorf("top bar shows user %q, want admin", user)
	}
	b.Screenshot(t, "signed-in")
	b.CheckClean(t)

	// Signing out ends the session on the server: the alerts page requests
	// for a login again.
	b.Follow(t, `#signout`)
	b.Do(t, chromedp.WaitVisible(`#login`))
	b.Open(t, "/alerts", "#login")
	if path := evalJS[string](t, b, `location.pathname`); path != "/login" {
		t.Errorf("after signing out /alerts went to %q, want the login page", path)
	}
}
