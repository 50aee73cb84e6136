package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoginRequired(t *testing.T) {
	tests := []struct {
		addr   string
		forced bool
		want   bool
	}{
		{"127.0.0.1:3000", false, false},
		{"127.0.0.1:3000", true, true},
		{"[::1]:3000", false, false},
		{"localhost:3000", false, false},
		{":3000", false, true},
		{"0.0.0.0:3000", false, true},
		{"192.0.2.10:3000", false, true},
		{"monitor.example:3000", false, true},
		{"no port", false, true},
	}
	for _, tt := range tests {
		if got := loginRequired(tt.addr, tt.forced); got != tt.want {
			t.Errorf("loginRequired(%q, %v) = %v, want %v", tt.addr, tt.forced, got, tt.want)
		}
	}
}

// startServeLogged starts serve with args, waits for "web UI listening"
// and returns what it logged until then, and a function that stops it
// with SIGINT. Cleanup stops it too.
func startServeLogged(t *testing.T, bin string, env []string, args ...string) (string, func()) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }) }
	t.Cleanup(stop)
	ready := make(chan string, 1)
	go func() {
		var log strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "web UI listening") {
				ready <- log.String()
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case log := <-ready:
		return log, stop
	case <-time.After(30 * time.Second):
		t.Fatal("flowlens serve did not start listening within 30 s")
		return "", stop
	}
}

func TestServeLoginOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flowlens binary; left out with -short")
	}
	bin := buildBinary(t)
	certFile, keyFile, pool := writeSelfSignedCert(t)
	addr := freeLoopbackAddr(t)
	startServeLogged(t, bin, nil, "-r", "../../testdata/iphone.pcap", "--speed", "0", "--listen", addr,
		"--data-dir", t.TempDir(), "--login", "--admin-password", "serve test password",
		"--tls-cert", certFile, "--tls-key", keyFile)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + addr

	for _, path := range []string{"/api/stats", "/metrics"} {
		if status := getStatus(t, client, base+path, nil); status != http.StatusUnauthorized {
			t.Errorf("GET %s without login: status %d, want 401", path, status)
		}
	}
	resp, err := client.Post(base+"/api/auth/login", "application/json", strings.NewReader(`{"user":"admin","password":"serve test password"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: status %d", resp.StatusCode)
	}
	setCookie := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Secure"} {
		if !strings.Contains(setCookie, attr) {
			t.Errorf("Set-Cookie %q lacks %s", setCookie, attr)
		}
	}
	cookie := resp.Cookies()[0]
	for _, path := range []string{"/api/stats", "/metrics", "/explorer"} {
		if status := getStatus(t, client, base+path, cookie); status != http.StatusOK {
			t.Errorf("GET %s with a session: status %d, want 200", path, status)
		}
	}
}

func TestServeGeneratesAdminPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flowlens binary; left out with -short")
	}
	bin := buildBinary(t)
	dataDir := t.TempDir()
	env := []string{adminPasswordEnv + "="}
	first, stopFirst := startServeLogged(t, bin, env, "-r", "../../testdata/iphone.pcap", "--speed", "0",
		"--listen", freeLoopbackAddr(t), "--data-dir", dataDir, "--login")
	if !strings.Contains(first, `created user "admin" with password `) {
		t.Fatalf("first start did not print the generated password:\n%s", first)
	}
	stopFirst() // the embedded database allows one process at a time
	second, _ := startServeLogged(t, bin, env, "-r", "../../testdata/iphone.pcap", "--speed", "0",
		"--listen", freeLoopbackAddr(t), "--data-dir", dataDir, "--login")
	if strings.Contains(second, "password") && strings.Contains(second, "created user") {
		t.Errorf("second start printed a password again:\n%s", second)
	}
}

func getStatus(t *testing.T, client *http.Client, url string, cookie *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// writeSelfSignedCert writes a certificate for 127.0.0.1 and its key to
// temporary files and returns them with a pool that trusts the certificate.
func writeSelfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "flowlens test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func writePEM(t *testing.T, path, blockType string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
