package server

import (
	"net"
	"net/http"
	"strings"
)

// loopbackHosts are the names a browser uses for a server on this machine.
var loopbackHosts = map[string]bool{"127.0.0.1": true, "localhost": true, "::1": true}

// CheckHost rejects requests whose Host header does not name this machine
// when the server listens on a loopback address. Without it a web page
// could rebind its own DNS name to 127.0.0.1 and read the API from the
// user's browser (DNS rebinding). On other addresses login protects the
// API instead, and any Host is accepted.
func CheckHost(listen string, next http.Handler) http.Handler {
	host, _, err := net.SplitHostPort(listen)
	if err != nil || !isLoopback(host) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			name = h
		}
		if !loopbackHosts[strings.ToLower(strings.Trim(name, "[]"))] {
			http.Error(w, "flowlens answers only to localhost and 127.0.0.1 while it listens on a loopback address", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
