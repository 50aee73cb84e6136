package store

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

const clickhouseHowTo = `start one with scripts/clickhouse-server start /tmp/ch 18123 19000 and set FLOWLENS_CLICKHOUSE_URL=http://127.0.0.1:18123/, or run go test -short to skip the ClickHouse tests`

// clickhouseURL returns the test server's URL from FLOWLENS_CLICKHOUSE_URL.
// Without it the test fails, unless -short is given.
func clickhouseURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("FLOWLENS_CLICKHOUSE_URL")
	if u == "" {
		if testing.Short() {
			t.Skip("FLOWLENS_CLICKHOUSE_URL is not set")
		}
		t.Fatal("FLOWLENS_CLICKHOUSE_URL is not set: " + clickhouseHowTo)
	}
	return u
}

// freshDatabase creates a database of its own for one test on each server.
func freshDatabase(t *testing.T, urls ...string) string {
	t.Helper()
	name := fmt.Sprintf("flowlens_test_%d", time.Now().UnixNano())
	for _, u := range urls {
		clickhouseExec(t, u, "CREATE DATABASE "+name)
	}
	t.Cleanup(func() {
		for _, u := range urls {
			clickhouseExec(t, u, "DROP DATABASE IF EXISTS "+name)
		}
	})
	return name
}

func clickhouseExec(t *testing.T, base, query string) {
	t.Helper()
	resp, err := http.Post(strings.TrimSuffix(base, "/")+"/", "text/plain", strings.NewReader(query))
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", query, resp.StatusCode)
	}
}

func TestClickHouse(t *testing.T) {
	u := clickhouseURL(t)
	s, err := OpenClickHouse(context.Background(), ClickHouseConfig{URL: u, Database: freshDatabase(t, u)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testBackend(t, s)
}

func TestClickHouseRetention(t *testing.T) {
	u := clickhouseURL(t)
	ctx := context.Background()
	s, err := OpenClickHouse(ctx, ClickHouseConfig{URL: u, Database: freshDatabase(t, u), RetentionDays: 3})
	if err != nil {
		t.Fatal(err)
	}
	flows := loadTestFlows(t)[:20]
	now := testBase.Add(10 * 24 * time.Hour)
	for i, fl := range flows {
		fl.FirstSeen = now.Add(-time.Duration(i) * 24 * time.Hour)
	}
	if err := s.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	if err := s.DropExpired(ctx, now); err != nil {
		t.Fatal(err)
	}
	n, err := s.Count(ctx, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	// Days now-0 .. now-3 stay: the cutoff day itself is kept.
	if n != 4 {
		t.Errorf("flows after retention of 3 days = %d, want 4", n)
	}
}

func TestClickHouseFilterSQL(t *testing.T) {
	f, err := ParseFilter(`tls.sni = "it's\\" and first_seen >= 2024-05-01T00:00:00.5Z and client_ip in 10.0.0.0/8`)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := whereClause(clickhouseDialect{}, Scope{Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	want := `((((tls_sni IN ('it\'s\\')) AND ((first_seen_us >= 1714521600500000 AND first_seen >= toDateTime(1714521600))) AND ((client_ip BETWEEN '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF\x0A\x00\x00\x00' AND '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF\x0A\xFF\xFF\xFF')))))`
	if got != want {
		t.Errorf("where clause\n got %s\nwant %s", got, want)
	}
}
