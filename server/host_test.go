package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCheckHost(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		listen, host string
		want         int
	}{
		{"127.0.0.1:3000", "127.0.0.1:3000", http.StatusOK},
		{"127.0.0.1:3000", "localhost:3000", http.StatusOK},
		{"127.0.0.1:3000", "[::1]:3000", http.StatusOK},
		{"127.0.0.1:3000", "attacker.example:3000", http.StatusMisdirectedRequest},
		{"127.0.0.1:3000", "attacker.example", http.StatusMisdirectedRequest},
		{"0.0.0.0:3000", "monitor.example:3000", http.StatusOK},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/api/flows/active", nil)
		req.Host = tt.host
		rec := httptest.NewRecorder()
		CheckHost(tt.listen, ok).ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("listen %s, Host %s: status %d, want %d", tt.listen, tt.host, rec.Code, tt.want)
		}
	}
}
