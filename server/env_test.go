package server

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/geo"
	"github.com/flowlens/flowlens/internal/geotest"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/risk"
	"github.com/flowlens/flowlens/store"
	"github.com/flowlens/flowlens/web"
)

// monitoringHost is the iPhone of iphone.pcap, which the test environment
// takes as the address of the machine flowlens runs on.
const monitoringHost = "192.168.2.17"

// hostileSNIs are the host names the test capture adds as Client Hellos.
var hostileSNIs = []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"}

// testEnv is flowlens serve's web stack over iphone.pcap: the capture is
// first imported into an embedded store, then replayed into a live
// pipeline whose flows stay open, as they do after serve -r reaches the
// end of the file.
type testEnv struct {
	url    string
	store  store.Store
	live   *pipeline.Live
	alerts *Alerter
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	pcap := filepath.Join(t.TempDir(), "iphone-hostile.pcap")
	writeCaptureWithSNIs(t, "testdata/iphone.pcap", pcap, hostileSNIs)

	// The store keeps countries, as serve --geoip has it do.
	locator := geo.NewResolver(testGeoDB(t), geo.NewSelf([]net.Addr{&net.IPNet{IP: net.ParseIP(monitoringHost), Mask: net.CIDRMask(24, 32)}}))
	st := startStore(t, store.Config{DataDir: t.TempDir(), Locate: func(a netip.Addr) string { return locator.Locate(a).Country }}, logger)
	judge := newJudge(t, logger)

	importCapture(t, pcap, NewAlerter(judge, st, logger), st, logger)
	alerts := NewAlerter(judge, st, logger)
	live := replayLive(t, pcap, alerts, st, logger)

	cfg := web.DefaultConfig()
	cfg.Geo = locator
	handler, err := NewWebHandler(cfg, live, st, alerts, logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return &testEnv{url: srv.URL, store: st, live: live, alerts: alerts}
}

// startStore opens and starts the store of cfg, and stops it when t ends.
func startStore(t *testing.T, cfg store.Config, logger *slog.Logger) store.Store {
	t.Helper()
	st, err := store.New(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Stop(); err != nil {
			t.Errorf("stop the store: %v", err)
		}
	})
	return st
}

// newJudge returns the risk evaluator with flowlens's default settings.
func newJudge(t *testing.T, logger *slog.Logger) *risk.Evaluator {
	t.Helper()
	judge, err := risk.New(context.Background(), risk.DefaultConfig(), risk.Dependencies{Ports: dpi.DefaultPorts, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return judge
}

// runCapture reads the capture at path into p.
func runCapture(t *testing.T, p *pipeline.Pipeline, path string) {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p.Start()
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatalf("replay %s: %v", path, err)
	}
}

// importCapture stores every flow of the capture, as flowlens import does.
func importCapture(t *testing.T, path string, alerts *Alerter, st store.Store, logger *slog.Logger) {
	t.Helper()
	writer := NewFlowWriter(st, logger)
	cfg := pipeline.DefaultConfig()
	cfg.Flow.RunID = 1
	p := pipeline.New(cfg, func(_ int, f *flow.Flow) { writer.Add(alerts.Closed(f.Record())) })
	runCapture(t, p, path)
	p.Close()
	writer.Close()
}

// replayLive replays the capture into a pipeline with serve's settings and
// returns its live view. The flows stay open until the test ends.
func replayLive(t *testing.T, path string, alerts *Alerter, st store.Store, logger *slog.Logger) *pipeline.Live {
	t.Helper()
	writer := NewFlowWriter(st, logger)
	cfg := pipeline.DefaultConfig()
	cfg.Flow.RunID = 2
	p := pipeline.New(cfg, func(_ int, f *flow.Flow) { writer.Add(alerts.Closed(f.Record())) })
	live := p.NewLive(time.Second, alerts.Active)
	runCapture(t, p, path)
	live.Refresh()
	t.Cleanup(func() { p.Close(); writer.Close() })
	return live
}

// testGeoDB opens a country database that places Apple's 17.0.0.0/8 in
// the United States.
func testGeoDB(t *testing.T) *geo.DB {
	t.Helper()
	db, err := geo.Open(geotest.AppleInUS(t))
	if err != nil {
		t.Fatal(err)
	}
	return db
}
