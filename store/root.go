package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Component is the store as the rest of flowlens uses it: the configured
// backend, behind the spool when Config.Spool is set. It implements Store
// once started.
type Component struct {
	Store
	cfg   Config
	log   *slog.Logger
	spool *Spooled
	ch    *ClickHouse

	stopRetention chan struct{}
	wg            sync.WaitGroup
}

// New checks the configuration and returns a component to Start.
func New(cfg Config, log *slog.Logger) (*Component, error) {
	cfg.setDefaults()
	if !cfg.embedded() && !strings.HasPrefix(cfg.URL, "http://") && !strings.HasPrefix(cfg.URL, "https://") {
		return nil, errorf("invalid store URL %q: use \"duckdb\" for the embedded database or a ClickHouse HTTP URL such as http://127.0.0.1:8123/", cfg.URL)
	}
	return &Component{cfg: cfg, log: log, stopRetention: make(chan struct{})}, nil
}

// Open opens the backend that cfg names, without a spool.
func Open(ctx context.Context, cfg Config) (Store, error) {
	cfg.setDefaults()
	if cfg.embedded() {
		d, err := OpenDuckDB(ctx, cfg.DataDir)
		if err != nil {
			return nil, err
		}
		d.Locate = cfg.Locate
		return d, nil
	}
	chCfg := cfg.ClickHouse
	chCfg.URL = cfg.URL
	ch, err := OpenClickHouse(ctx, chCfg)
	if err != nil {
		return nil, err
	}
	ch.Locate = cfg.Locate
	return ch, nil
}

// Start opens the backend and starts the spool writer and retention.
func (c *Component) Start(ctx context.Context) error {
	backend, err := Open(ctx, c.cfg)
	if err != nil {
		return err
	}
	c.Store = backend
	if ch, ok := backend.(*ClickHouse); ok && ch.cfg.RetentionDays > 0 {
		c.ch = ch
		c.wg.Add(1)
		go c.retain()
	}
	if c.cfg.Spool {
		c.spool = NewSpooled(backend, SpoolConfig{Dir: filepath.Join(c.cfg.DataDir, "spool"), MaxBytes: c.cfg.SpoolMaxBytes}, c.log)
		if err := c.spool.Start(); err != nil {
			backend.Close()
			return err
		}
		c.Store = c.spool
	}
	c.log.Info("store started", "backend", c.backendName(), "data_dir", c.cfg.DataDir, "spool", c.cfg.Spool)
	return nil
}

// SpoolMetrics returns the spool's counters, or nil when the store runs
// without a spool. It is safe to call at any time after Start.
func (c *Component) SpoolMetrics() *SpoolMetrics {
	if c.spool == nil {
		return nil
	}
	return c.spool.Metrics()
}

func (c *Component) backendName() string {
	if c.cfg.embedded() {
		return "duckdb"
	}
	return "clickhouse"
}

// retain drops expired partitions now and then every RetentionInterval.
func (c *Component) retain() {
	defer c.wg.Done()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		if err := c.ch.DropExpired(ctx, time.Now()); err != nil {
			c.log.Error("dropping expired partitions failed", "err", err)
		}
		cancel()
		select {
		case <-c.stopRetention:
			return
		case <-time.After(c.cfg.RetentionInterval):
		}
	}
}

// Stop stops the spool writer, leaving what it holds for the next start,
// and closes the backend.
func (c *Component) Stop() error {
	close(c.stopRetention)
	c.wg.Wait()
	if c.spool != nil {
		c.spool.Stop()
		return c.spool.Store.Close()
	}
	if c.Store == nil {
		return nil
	}
	return c.Store.Close()
}
