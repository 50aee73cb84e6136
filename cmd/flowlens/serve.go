package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/geo"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/server"
	"github.com/flowlens/flowlens/store"
	"github.com/flowlens/flowlens/web"
)

// serveOptions are the flags of the serve command.
type serveOptions struct {
	file, iface, filter string
	listen              string
	speed               float64
	refresh             time.Duration
	rules, risk         string
	geoip               string
	geo                 *geo.Resolver
	store               store.Config
	pipeline            pipeline.Config
	access              accessOptions
}

func parseServeFlags(args []string) (*serveOptions, error) {
	o := &serveOptions{pipeline: pipeline.DefaultConfig(), store: store.DefaultConfig()}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: flowlens serve (-r FILE | -i IFACE) [flags]\n\nCaptures traffic, serves the web UI and REST API, and stores closed flows.\n\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.file, "r", "", "capture `file` to replay")
	fs.StringVar(&o.iface, "i", "", "network `interface` to capture from (needs root or CAP_NET_RAW)")
	fs.StringVar(&o.filter, "f", "", "BPF filter `expression` in tcpdump syntax")
	fs.StringVar(&o.listen, "listen", web.DefaultConfig().Listen, "`address` of the web UI and API")
	fs.Float64Var(&o.speed, "speed", 1, "replay speed of -r: 1 is the capture's own pace with silences over 5s cut to 5s, 0 as fast as possible")
	fs.DurationVar(&o.refresh, "refresh", 2*time.Second, "how often the live view of the flows is refreshed")
	fs.StringVar(&o.rules, "rules", "", "`dir`ectory of nDPI rule files")
	fs.StringVar(&o.risk, "risk-config", "", "JSON `file` that configures the risk rules")
	fs.StringVar(&o.geoip, "geoip", "", "comma-separated MaxMind-format database `files` (country, AS) for flags and AS names")
	fs.StringVar(&o.store.DataDir, "data-dir", o.store.DataDir, "directory of the embedded database and the spool")
	fs.StringVar(&o.store.URL, "store", "", `store backend: empty for the embedded database, or a ClickHouse HTTP URL such as http://127.0.0.1:8123/`)
	addClickHouseFlags(fs, &o.store.ClickHouse)
	fs.IntVar(&o.store.ClickHouse.RetentionDays, "store-retention-days", 0, "with ClickHouse, drop the days of flows older than this many `days` every hour (0 keeps all)")
	addPipelineFlags(fs, &o.pipeline)
	addAccessFlags(fs, &o.access)
	if err := fs.Parse(args); err != nil {
		return nil, helpOrUsage(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "flowlens serve: unexpected argument %q; give the capture with -r FILE or the interface with -i IFACE\n", fs.Arg(0))
		return nil, errUsage
	}
	if (o.file == "") == (o.iface == "") {
		fmt.Fprintln(os.Stderr, "flowlens serve: give exactly one of -r FILE or -i IFACE")
		return nil, errUsage
	}
	if err := checkPipelineFlags(&o.pipeline); err != nil {
		fmt.Fprintln(os.Stderr, "flowlens serve:", err)
		return nil, errUsage
	}
	if err := checkServeFlags(o); err != nil {
		fmt.Fprintln(os.Stderr, "flowlens serve:", err)
		return nil, errUsage
	}
	if err := checkClickHouseFlags(o.store.URL, o.store.ClickHouse); err != nil {
		fmt.Fprintln(os.Stderr, "flowlens serve:", err)
		return nil, errUsage
	}
	if err := o.access.check(); err != nil {
		fmt.Fprintln(os.Stderr, "flowlens serve:", err)
		return nil, errUsage
	}
	return o, nil
}

// checkServeFlags rejects a refresh interval the live view's ticker cannot
// take, a replay speed that is not a number or below 0, and a negative
// retention.
func checkServeFlags(o *serveOptions) error {
	switch {
	case o.refresh <= 0:
		return fmt.Errorf("invalid --refresh %s: use a positive duration such as 2s", o.refresh)
	case math.IsNaN(o.speed) || math.IsInf(o.speed, 0) || o.speed < 0:
		return fmt.Errorf("invalid --speed %v: use 0 (as fast as possible) or a positive factor", o.speed)
	case o.store.ClickHouse.RetentionDays < 0:
		return fmt.Errorf("invalid --store-retention-days %d: use 0 (keep all) or a positive number", o.store.ClickHouse.RetentionDays)
	}
	return nil
}

func runServe(args []string, logger *slog.Logger) error {
	o, err := parseServeFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	judge, err := loadJudgement(o.rules, o.risk, &o.pipeline, logger)
	if err != nil {
		return err
	}
	o.pipeline.Flow.RunID = newRunID()
	o.pipeline.WallClock = o.iface != ""

	if err := openGeo(o, logger); err != nil {
		return err
	}
	// The address and the capture source are checked before the store
	// opens, so that a taken port or a bad filter leaves no data
	// directory behind.
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; give a free address with --listen", o.listen, err)
	}
	src, err := openServeSource(ctx, o)
	if err != nil {
		ln.Close()
		return err
	}
	st, err := store.New(o.store, logger)
	if err == nil {
		err = st.Start(ctx)
	}
	if err != nil {
		ln.Close()
		src.Close()
		return err
	}
	defer st.Stop()

	alerts := server.NewAlerter(judge, st, logger)
	restoreAlerts(ctx, alerts, logger)
	writer := server.NewFlowWriter(st, logger)
	p := pipeline.New(o.pipeline, func(_ int, f *flow.Flow) { writer.Add(alerts.Closed(f.Record())) })
	live := p.NewLive(o.refresh, alerts.Active)

	metrics := metricSources{pipeline: p, source: src, spool: st.SpoolMetrics(), writer: writer, alerts: alerts}
	srv, err := startWeb(ln, o, live, st, metrics, logger)
	if err != nil {
		ln.Close()
		src.Close()
		return err
	}
	p.Start()
	// The live view reads the flow tables, so it must stop before
	// p.Close stops their workers.
	liveCtx, stopLive := context.WithCancel(ctx)
	liveDone := make(chan struct{})
	go func() { live.Run(liveCtx); close(liveDone) }()
	go func() {
		// A live source blocked in a read notices Close within its poll
		// timeout, so a stop signal ends the capture promptly.
		<-ctx.Done()
		src.Close()
	}()
	runErr := readUntilStopped(ctx, p, src, o, logger)

	logger.Info("stopping: closing active flows and writing them to the store")
	stopLive()
	<-liveDone
	p.Close()
	writer.Close()
	alerts.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	printSummary(os.Stderr, p.Stats(), int(p.Stats().Flow.Created))
	return runErr
}

// restoreAlerts shows the stored alerts of earlier runs on the Alerts page.
// When the store fails, the page lists only new alerts.
func restoreAlerts(ctx context.Context, alerts *server.Alerter, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	n, err := alerts.Restore(ctx)
	if err != nil {
		logger.Warn("cannot read the stored alerts; the Alerts page shows only new ones", "err", err)
		return
	}
	if n > 0 {
		logger.Info("alerts of earlier runs restored", "alerts", n)
	}
}

// readUntilStopped reads the source to its end; a replayed file's flows
// then stay on show until the command is stopped.
func readUntilStopped(ctx context.Context, p *pipeline.Pipeline, src capture.Source, o *serveOptions, logger *slog.Logger) error {
	err := readOutcome(p.Run(ctx, src), logger)
	if err != nil {
		return err
	}
	if o.file != "" && ctx.Err() == nil {
		logger.Info("capture replayed; its flows stay on show until flowlens is stopped (Ctrl-C)", "pcap", o.file)
		<-ctx.Done()
	}
	return nil
}

func openServeSource(ctx context.Context, o *serveOptions) (capture.Source, error) {
	if o.iface != "" {
		return capture.OpenLive(o.iface, capture.LiveConfig{Filter: o.filter})
	}
	src, err := openFileSource(o.file, o.filter)
	if err != nil {
		return nil, err
	}
	return pipeline.Paced(ctx, src, o.speed), nil
}

func newWebHandler(o *serveOptions, live *pipeline.Live, st store.Store, alerts *server.Alerter, middleware func(http.Handler) http.Handler, logger *slog.Logger) (http.Handler, error) {
	cfg := web.DefaultConfig()
	cfg.Listen, cfg.Refresh = o.listen, o.refresh
	cfg.Middleware = middleware
	cfg.Geo = o.geo
	return server.NewWebHandler(cfg, live, st, alerts, logger)
}

// openGeo builds the address locator of the web pages and the store from
// the --geoip databases, if any, and this host's own addresses.
func openGeo(o *serveOptions, logger *slog.Logger) error {
	var db *geo.DB
	if o.geoip != "" {
		var err error
		if db, err = geo.Open(strings.Split(o.geoip, ",")...); err != nil {
			return err
		}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		logger.Warn("cannot list this host's addresses; they will not be marked", "err", err)
	}
	o.geo = geo.NewResolver(db, geo.NewSelf(addrs))
	o.store.Locate = func(a netip.Addr) string { return o.geo.Locate(a).Country }
	return nil
}

// startWeb serves the web UI, the API and /metrics, behind the login
// middleware when login is required.
func startWeb(ln net.Listener, o *serveOptions, live *pipeline.Live, st store.Store, sources metricSources, logger *slog.Logger) (*http.Server, error) {
	loginMiddleware, err := setUpAuth(&o.access, o.listen, o.store.DataDir, logger)
	if err != nil {
		return nil, err
	}
	handler, err := newWebHandler(o, live, st, sources.alerts, loginMiddleware, logger)
	if err != nil {
		return nil, err
	}
	metrics := metricsHandler(sources)
	if loginMiddleware != nil {
		metrics = loginMiddleware(metrics)
	}
	return serveWeb(ln, withMetrics(handler, metrics), &o.access, logger), nil
}

// withMetrics serves /metrics beside the web UI.
func withMetrics(web, metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.Handle("/", web)
	return mux
}

// serveWeb starts the web server on ln in the background, with HTTPS when
// the access options name a certificate.
func serveWeb(ln net.Listener, h http.Handler, access *accessOptions, logger *slog.Logger) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	scheme := "http"
	if access.tlsCert != "" {
		scheme = "https"
	}
	logger.Info("web UI listening", "url", scheme+"://"+ln.Addr().String()+"/")
	go func() {
		var err error
		if access.tlsCert != "" {
			err = srv.ServeTLS(ln, access.tlsCert, access.tlsKey)
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("web server stopped", "err", err)
		}
	}()
	return srv
}
