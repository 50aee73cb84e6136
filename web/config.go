package web

import (
	"net/http"
	"time"
)

// Config holds the web server's settings.
type Config struct {
	// Listen is the address the server listens on.
	Listen string
	// Refresh is how often the live pages poll the API.
	Refresh time.Duration
	// ExportMaxRows caps the rows of one CSV or JSON Lines download.
	ExportMaxRows int
	// Geo locates addresses for flags and local marks. Without it the
	// pages show no flags and mark only private and loopback ranges.
	Geo Locator
	// Risks describes risk names on the flow details page. Without it the
	// page shows the bare names.
	Risks RiskCatalog
	// Middleware wraps every route, pages and API alike, for
	// authentication or request logging. It runs inside the security
	// headers, so its own responses carry them too.
	Middleware func(http.Handler) http.Handler
}

// DefaultConfig returns the defaults: listen on 127.0.0.1:3000 only,
// refresh every 3 s, export at most one million rows.
func DefaultConfig() Config {
	return Config{
		Listen:        "127.0.0.1:3000",
		Refresh:       3 * time.Second,
		ExportMaxRows: 1_000_000,
	}
}

func (c *Config) setDefaults() {
	d := DefaultConfig()
	if c.Listen == "" {
		c.Listen = d.Listen
	}
	if c.Refresh <= 0 {
		c.Refresh = d.Refresh
	}
	if c.ExportMaxRows <= 0 {
		c.ExportMaxRows = d.ExportMaxRows
	}
}
