package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestServeStopKeepsFlows sends SIGTERM to serve and checks that every
// flow the summary counts is in the store afterwards.
func TestServeStopKeepsFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flowlens binary; left out with -short")
	}
	bin := buildBinary(t)
	manyFlows := filepath.Join(t.TempDir(), "many-flows.pcap")
	writeManyFlows(t, manyFlows, 12000)
	tests := []struct {
		name    string
		capture string
		speed   string
		// waitFor is the log line after which SIGTERM is sent.
		waitFor string
		// wantPackets is how many packets serve reads; -1 for fewer than
		// the capture's 500.
		wantPackets int
	}{
		// The replay takes 48 s at its own pace, so the signal comes in
		// the middle of it.
		{"during replay", "../../testdata/iphone.pcap", "1", "web UI listening", -1},
		// Every flow is still open when the signal comes, so all of them
		// go to the store at once while serve stops.
		{"many open flows", manyFlows, "0", "capture replayed", 12000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			summary := runServeUntilTerm(t, bin, tt.capture, tt.speed, dataDir, tt.waitFor, tt.wantPackets == -1)
			packets := summaryCount(t, summary, "packets")
			if tt.wantPackets == -1 && packets >= 500 {
				t.Errorf("serve read all %d packets before SIGTERM, want the signal during the replay", packets)
			}
			if tt.wantPackets >= 0 && packets != tt.wantPackets {
				t.Errorf("serve read %d packets, want %d", packets, tt.wantPackets)
			}
			want := summaryCount(t, summary, "flows")
			if want == 0 {
				t.Fatalf("the summary counts no flow:\n%s", summary)
			}
			out, err := exec.Command(bin, "query", "true", "--data-dir", dataDir).Output()
			if err != nil {
				t.Fatalf("flowlens query: %v", err)
			}
			if got := strings.Count(string(out), "\n"); got != want {
				t.Errorf("store holds %d flows after SIGTERM, the summary counts %d", got, want)
			}
		})
	}
}

// runServeUntilTerm starts serve on a capture, sends SIGTERM once its
// log shows waitFor (and, with waitForFlow, once its API shows an open
// flow), and returns what it printed after the stop.
func runServeUntilTerm(t *testing.T, bin, capture, speed, dataDir, waitFor string, waitForFlow bool) string {
	t.Helper()
	addr := freeLoopbackAddr(t)
	cmd := exec.Command(bin, "serve", "-r", capture, "--speed", speed, "--listen", addr, "--data-dir", dataDir, "--refresh", "100ms")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Ends serve when a check below fails first; after a clean stop both
	// calls return errors that do not matter.
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	lines := make(chan string, 1000)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	timeout := time.After(60 * time.Second)
	for seen := false; !seen; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited before logging %q: %v", waitFor, cmd.Wait())
			}
			seen = strings.Contains(line, waitFor)
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("serve did not log %q within 60 s", waitFor)
		}
	}
	if waitForFlow {
		waitForActiveFlow(t, "http://"+addr)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var after strings.Builder
	for line := range lines {
		after.WriteString(line + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, after.String())
	}
	return after.String()
}

// waitForActiveFlow polls serve's API until it shows an open flow.
func waitForActiveFlow(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/flows/active?size=1")
		if err == nil {
			var page struct {
				Total int `json:"total"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err == nil && page.Total > 0 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/api/flows/active showed no flow within 30 s", base)
}

// summaryCount returns the first number of the summary line that starts
// with label ("packets", "flows").
func summaryCount(t *testing.T, summary, label string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + label + ` +(\d+)`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no %s line in serve's summary:\n%s", label, summary)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeManyFlows writes a capture of n one-packet UDP flows within one
// second, from 10.1.0.0/16 to 192.0.2.1:53.
func writeManyFlows(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	buf := gopacket.NewSerializeBuffer()
	for i := 0; i < n; i++ {
		client := netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
		frame := udpFrame(t, buf, client, uint16(40000+i%20000), []byte(fmt.Sprintf("flow %d", i)))
		ci := gopacket.CaptureInfo{Timestamp: start.Add(time.Duration(i) * 40 * time.Microsecond), CaptureLength: len(frame), Length: len(frame)}
		if err := w.WritePacket(ci, frame); err != nil {
			t.Fatal(err)
		}
	}
}

func udpFrame(t *testing.T, buf gopacket.SerializeBuffer, client netip.Addr, port uint16, payload []byte) []byte {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: client.AsSlice(), DstIP: net.IP{192, 0, 2, 1}}
	udp := &layers.UDP{SrcPort: layers.UDPPort(port), DstPort: 9999}
	udp.SetNetworkLayerForChecksum(ip)
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, udp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAnalyzeSecondSignalEnds reads a pipe that stays open and sends no
// data, so the first SIGTERM cannot end the read, and expects the second
// to end the process.
func TestAnalyzeSecondSignalEnds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flowlens binary; left out with -short")
	}
	bin := buildBinary(t)
	fifo := filepath.Join(t.TempDir(), "capture.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Opened for reading and writing, the pipe has a writer and does not
	// block this open; nothing is ever written to it.
	writer, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()

	cmd := exec.Command(bin, "analyze", "-r", fifo)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The rules load before the capture is opened and read.
	if !waitForLine(bufio.NewScanner(stderr), "blocklists loaded") {
		t.Fatal("analyze did not start")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for range 2 {
		time.Sleep(200 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("analyze ended with %v, want the second SIGTERM to end it", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("analyze still running 10 s after two SIGTERMs")
	}
}

// waitForLine reads lines until one contains want, and reports whether one
// did before the input ended.
func waitForLine(sc *bufio.Scanner, want string) bool {
	for sc.Scan() {
		if strings.Contains(sc.Text(), want) {
			return true
		}
	}
	return false
}
