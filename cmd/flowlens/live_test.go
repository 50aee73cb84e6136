package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The live test builds this topology, all of it its own:
//
//	root namespace: veth flt-h<pid> 10.203.77.1/30, flowlens serve -i on it
//	namespace flt-<pid>: veth flt-n<pid> 10.203.77.2/30, an HTTP server
//
// and checks that an HTTP request across the pair shows up as an HTTP flow
// in serve's API. Traffic goes only to the address inside the namespace.
const (
	liveHostAddr = "10.203.77.1"
	liveNSAddr   = "10.203.77.2"
	liveHTTPPort = "8080"
)

// TestMain lets the test binary act as the HTTP server inside the
// namespace when re-executed with FLOWLENS_LIVE_SERVER set.
func TestMain(m *testing.M) {
	if addr := os.Getenv("FLOWLENS_LIVE_SERVER"); addr != "" {
		serveLiveHTTP(addr)
		return
	}
	os.Exit(m.Run())
}

func serveLiveHTTP(addr string) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello from the namespace\n")
	})
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { time.Sleep(60 * time.Second); srv.Close() }()
	srv.ListenAndServe()
}

func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// setUpVeth creates the namespace and the veth pair, and removes them when
// the test ends.
func setUpVeth(t *testing.T) (ns, hostIf string) {
	if os.Geteuid() != 0 {
		t.Fatal("the live capture test needs root to create a network namespace; run it as root (CI does), or use -short to leave it out")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("the live capture test needs the ip command: apt-get install iproute2")
	}
	pid := os.Getpid() % 100000
	ns, hostIf, nsIf := fmt.Sprintf("flt-%d", pid), fmt.Sprintf("flt-h%d", pid), fmt.Sprintf("flt-n%d", pid)
	mustRun(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	mustRun(t, "ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf)
	t.Cleanup(func() { exec.Command("ip", "link", "del", hostIf).Run() })
	mustRun(t, "ip", "link", "set", nsIf, "netns", ns)
	mustRun(t, "ip", "addr", "add", liveHostAddr+"/30", "dev", hostIf)
	mustRun(t, "ip", "link", "set", hostIf, "up")
	mustRun(t, "ip", "netns", "exec", ns, "ip", "addr", "add", liveNSAddr+"/30", "dev", nsIf)
	mustRun(t, "ip", "netns", "exec", ns, "ip", "link", "set", nsIf, "up")
	mustRun(t, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
	return ns, hostIf
}

// startNSServer runs this test binary as an HTTP server in the namespace.
func startNSServer(t *testing.T, ns string) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, exe)
	cmd.Env = append(os.Environ(), "FLOWLENS_LIVE_SERVER="+net.JoinHostPort(liveNSAddr, liveHTTPPort))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
}

// startServe runs flowlens serve on the interface and returns its API URL.
func startServe(t *testing.T, bin, iface string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "-i", iface, "--listen", addr, "--data-dir", t.TempDir(), "--refresh", "500ms")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Log("serve: " + sc.Text())
			if strings.Contains(sc.Text(), "web UI listening") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("flowlens serve did not start listening within 30 s")
	}
	return "http://" + addr
}

// activeFlows is the part of /api/flows/active the test reads.
type activeFlows struct {
	Rows []struct {
		Flow struct {
			App        string `json:"app"`
			ClientIP   string `json:"client_ip"`
			ServerIP   string `json:"server_ip"`
			ServerPort int    `json:"server_port"`
			Info       string `json:"info"`
			C2SPackets int    `json:"c2s_packets"`
			S2CPackets int    `json:"s2c_packets"`
		} `json:"flow"`
	} `json:"rows"`
}

func TestServeLiveCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("needs root and a network namespace; left out with -short")
	}
	bin := buildBinary(t)
	ns, hostIf := setUpVeth(t)
	startNSServer(t, ns)
	api := startServe(t, bin, hostIf)

	client := &http.Client{Timeout: 5 * time.Second}
	url := "http://" + net.JoinHostPort(liveNSAddr, liveHTTPPort) + "/hello?from=flowlens"
	var resp *http.Response
	var err error
	for i := 0; i < 50; i++ { // the server in the namespace may still be starting
		req, _ := http.NewRequest("GET", url, nil)
		req.Host = "live.flowlens.test"
		if resp, err = client.Do(req); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("request across the veth pair: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if found := findLiveFlow(t, api); found {
			checkLiveMetrics(t, api)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("no HTTP flow %s -> %s:%s with host live.flowlens.test in %s/api/flows/active", liveHostAddr, liveNSAddr, liveHTTPPort, api)
}

func findLiveFlow(t *testing.T, api string) bool {
	resp, err := http.Get(api + "/api/flows/active?size=100")
	if err != nil {
		t.Logf("query serve: %v", err)
		return false
	}
	defer resp.Body.Close()
	var page activeFlows
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatalf("decode active flows: %v", err)
	}
	for _, r := range page.Rows {
		f := r.Flow
		if f.ClientIP == liveHostAddr && f.ServerIP == liveNSAddr && fmt.Sprint(f.ServerPort) == liveHTTPPort {
			if f.App != "HTTP" || f.Info != "live.flowlens.test" || f.C2SPackets < 3 || f.S2CPackets < 2 {
				t.Logf("flow found but not complete yet: %+v", f)
				return false
			}
			return true
		}
	}
	return false
}

// checkLiveMetrics checks that /metrics reports the kernel's drop counter
// of the live capture and the packets read.
func checkLiveMetrics(t *testing.T, api string) {
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "\nflowlens_capture_drops_total ") {
		t.Error("/metrics of a live capture lacks flowlens_capture_drops_total")
	}
	if strings.Contains(string(body), "\nflowlens_packets_total 0\n") || !strings.Contains(string(body), "\nflowlens_packets_total ") {
		t.Error("/metrics reports no packets read from the live capture")
	}
}
