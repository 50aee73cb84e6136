package store

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config configures the store component.
type Config struct {
	// URL picks the backend: empty or "duckdb" for the embedded database
	// under DataDir, an http:// or https:// URL for a ClickHouse server's
	// HTTP interface.
	URL string
	// DataDir holds the embedded database and the spool; DefaultDataDir
	// when empty.
	DataDir string
	// ClickHouse holds the ClickHouse settings other than the URL.
	ClickHouse ClickHouseConfig
	// Spool puts the on-disk spool in front of the backend.
	Spool bool
	// SpoolMaxBytes caps the spool (1 GiB when zero).
	SpoolMaxBytes int64
	// Locate returns the ISO 3166-1 alpha-2 country code of an address,
	// or "" when unknown, for the client_country and server_country fields
	// of each flow written. Those fields stay empty when Locate is nil.
	Locate Locator
	// RetentionInterval is how often expired ClickHouse partitions are
	// dropped when ClickHouse.RetentionDays is set (1 hour when zero).
	RetentionInterval time.Duration
}

// DefaultConfig returns the configuration of the embedded backend with a
// spool, under DefaultDataDir.
func DefaultConfig() Config {
	return Config{DataDir: DefaultDataDir(), Spool: true}
}

// DefaultDataDir returns $XDG_DATA_HOME/flowlens, or
// ~/.local/share/flowlens when XDG_DATA_HOME is unset, or ./flowlens-data
// when neither the variable nor a home directory exists.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "flowlens")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "flowlens-data"
	}
	return filepath.Join(home, ".local", "share", "flowlens")
}

func (c *Config) embedded() bool {
	return c.URL == "" || strings.EqualFold(c.URL, "duckdb")
}

func (c *Config) setDefaults() {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.RetentionInterval <= 0 {
		c.RetentionInterval = time.Hour
	}
}
