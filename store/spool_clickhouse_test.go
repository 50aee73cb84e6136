package store

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowlens/flowlens/record"
)

// testServer is a ClickHouse server that a test starts and kills itself.
type testServer struct {
	dir, script       string
	httpPort, tcpPort int
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startTestServer(t *testing.T) *testServer {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a ClickHouse server")
	}
	if os.Getenv("FLOWLENS_CLICKHOUSE_URL") == "" {
		t.Fatal("FLOWLENS_CLICKHOUSE_URL is not set, so ClickHouse may be missing: " + clickhouseHowTo)
	}
	script, _ := filepath.Abs("../scripts/clickhouse-server")
	s := &testServer{dir: t.TempDir(), script: script, httpPort: freePort(t), tcpPort: freePort(t)}
	s.start(t)
	t.Cleanup(func() { exec.Command(s.script, "stop", s.dir).Run() })
	return s
}

func (s *testServer) url() string { return fmt.Sprintf("http://127.0.0.1:%d/", s.httpPort) }

func (s *testServer) start(t *testing.T) {
	out, err := exec.Command(s.script, "start", s.dir, strconv.Itoa(s.httpPort), strconv.Itoa(s.tcpPort)).CombinedOutput()
	if err != nil {
		t.Fatalf("start ClickHouse: %v\n%s", err, out)
	}
}

// kill ends the server with SIGKILL, as a crash would.
func (s *testServer) kill(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(s.dir, "pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for syscall.Kill(pid, 0) == nil {
		time.Sleep(20 * time.Millisecond)
	}
}

// syntheticFlows returns n flows with distinct ids, built from the test
// records.
func syntheticFlows(t *testing.T, n int) []*record.Flow {
	base := loadTestFlows(t)
	out := make([]*record.Flow, n)
	for i := range out {
		fl := *base[i%len(base)]
		fl.ID = fmt.Sprintf("s%07d", i)
		fl.FirstSeen = testBase.Add(time.Duration(i) * time.Millisecond)
		out[i] = &fl
	}
	return out
}

func TestSpoolClickHouseServerKilled(t *testing.T) {
	srv := startTestServer(t)
	ctx := context.Background()
	ch, err := OpenClickHouse(ctx, ClickHouseConfig{URL: srv.url(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	sp := NewSpooled(ch, testSpoolConfig(t.TempDir()), quietLogger())
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	defer sp.Stop()

	flows := syntheticFlows(t, 20000)
	writeBatches(t, sp, flows[:8000], 500)
	srv.kill(t)
	writeBatches(t, sp, flows[8000:14000], 500)
	time.Sleep(300 * time.Millisecond)
	srv.start(t)
	writeBatches(t, sp, flows[14000:], 500)
	flushSpool(t, sp)

	checkExactlyOnce(t, ch, flows)
	if sp.Metrics().WriteErrors.Load() == 0 {
		t.Error("no write failed, so the server was not down during ingest")
	}
}
