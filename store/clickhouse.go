package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ClickHouseConfig configures the ClickHouse backend.
type ClickHouseConfig struct {
	// URL is the server's HTTP interface, such as http://127.0.0.1:8123/.
	URL string
	// Database holds the tables; it must exist ("default" when empty).
	Database string
	// Cluster, when set, names a remote_servers cluster: flows go to a
	// MergeTree table flows_local on every shard and are read through a
	// Distributed table flows over them.
	Cluster string
	// ShardURLs are the HTTP interfaces of the cluster's shards. When set,
	// the tables are created on each shard in turn; when empty, with
	// CREATE TABLE ... ON CLUSTER, which needs distributed DDL (ZooKeeper)
	// on the servers.
	ShardURLs []string
	// WriteLocal writes to the shard behind URL instead of through the
	// Distributed table.
	WriteLocal bool
	// RetentionDays is how many days of flows DropExpired keeps; 0 keeps all.
	RetentionDays int
	// Timeout bounds one HTTP request (30s when zero).
	Timeout time.Duration
}

// ClickHouse is the backend for ClickHouse servers, spoken to over HTTP
// with RowBinary inserts and JSONEachRow reads, so that it works with
// releases from 18.16 (no bind parameters, no IPv6 or DateTime64 types) to
// current ones.
type ClickHouse struct {
	cfg    ClickHouseConfig
	client *http.Client
	db     string
	// Locate fills client_country and server_country; set it before the
	// first write.
	Locate Locator
}

// chRequestError is an error answer of the server.
type chRequestError struct {
	Status int
	Body   string
}

func (e *chRequestError) Error() string {
	return fmt.Sprintf("clickhouse answered %d: %s", e.Status, strings.TrimSpace(e.Body))
}

// OpenClickHouse connects to the server and creates or checks the tables.
func OpenClickHouse(ctx context.Context, cfg ClickHouseConfig) (*ClickHouse, error) {
	if cfg.Database == "" {
		cfg.Database = "default"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if u, err := url.Parse(cfg.URL); err != nil || cfg.URL == "" || u.Host == "" {
		return nil, errorf("invalid ClickHouse URL %q: give the HTTP interface, such as http://127.0.0.1:8123/", redactURL(cfg.URL))
	}
	c := &ClickHouse{cfg: cfg, client: &http.Client{Timeout: cfg.Timeout}, db: backquote(cfg.Database)}
	if err := c.migrate(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// redactURL returns raw with the password of its user information
// replaced by "xxxxx", for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// backquote quotes an identifier from the configuration.
func backquote(name string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(name) + "`"
}

// exec sends one statement to base with body as its data, and returns the
// answer. Statements travel in the query parameter when there is a body
// and as the body otherwise.
func (c *ClickHouse) exec(ctx context.Context, base, query string, body []byte) ([]byte, error) {
	params := url.Values{}
	params.Set("database", c.cfg.Database)
	if c.cfg.Cluster != "" && !c.cfg.WriteLocal {
		// Without it, a Distributed table queues inserts and sends them
		// later, so a written batch would not yet be readable.
		params.Set("insert_distributed_sync", "1")
	}
	var reader io.Reader = strings.NewReader(query)
	if body != nil {
		params.Set("query", query)
		reader = bytes.NewReader(body)
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	// Parameters of the configured URL, such as user or a setting, stay.
	for name, values := range u.Query() {
		if !params.Has(name) {
			params[name] = values
		}
	}
	u.RawQuery = params.Encode()
	if u.Path == "" {
		u.Path = "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), reader)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &chRequestError{Status: resp.StatusCode, Body: string(out)}
	}
	return out, nil
}

// Close releases idle connections.
func (c *ClickHouse) Close() error {
	c.client.CloseIdleConnections()
	return nil
}
