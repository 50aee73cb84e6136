package auth

import (
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkAuthenticate measures the check every request pays, with a
// session cookie and with an API token.
func BenchmarkAuthenticate(b *testing.B) {
	cfg := DefaultConfig()
	cfg.File = b.TempDir() + "/users.json"
	a, err := New(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.EnsureAdmin(adminPassword); err != nil {
		b.Fatal(err)
	}
	sessionID, _ := a.sessions.create("admin", time.Now())
	_, secret, err := a.accounts.createToken("bench", RoleReadOnly, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("session", func(b *testing.B) {
		r := httptest.NewRequest("GET", "/api/stats", nil)
		r.Header.Set("Cookie", SessionCookie+"="+sessionID)
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := a.authenticate(r); !ok {
				b.Fatal("session rejected")
			}
		}
	})
	b.Run("token", func(b *testing.B) {
		r := httptest.NewRequest("GET", "/api/stats", nil)
		r.Header.Set("Authorization", "Bearer "+secret)
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := a.authenticate(r); !ok {
				b.Fatal("token rejected")
			}
		}
	})
}
