package store

import (
	"context"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/record"
)

func TestDuckDB(t *testing.T) {
	s, err := OpenDuckDB(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testBackend(t, s)
}

func TestDuckDBReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := OpenDuckDB(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	flows := loadTestFlows(t)[:10]
	if err := s.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenDuckDB(ctx, dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	n, err := s.Count(ctx, Scope{})
	if err != nil || n != 10 {
		t.Errorf("Count after reopen = %d, %v; want 10", n, err)
	}
}

func TestDuckDBFromBranches(t *testing.T) {
	tests := []struct {
		filter string
		unions int
	}{
		{"true", 0},
		{"client_ip = 10.0.0.1", 0},
		{"ip = 10.0.0.1", 1},
		{"not ip = 10.0.0.1", 0},
		{"app = DNS or l4 = UDP or port = 53", 2},
		{"a = 1 or a = 2 or a = 3 or a = 4 or a = 5", 0},
	}
	for _, tt := range tests {
		f, err := ParseFilter(strings.ReplaceAll(tt.filter, "a = ", "risk_score = "))
		if err != nil {
			t.Fatal(err)
		}
		from, _, err := duckdbFrom(Scope{Filter: f, To: testBase})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(from, "UNION ALL"); got != tt.unions {
			t.Errorf("%s: %d UNION ALL in %s, want %d", tt.filter, got, from, tt.unions)
		}
	}
}

func TestOpenLocate(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Locate: testLocate})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	flows := loadTestFlows(t)
	if err := s.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	top, err := s.Top(ctx, TopQuery{By: "client_country", N: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(top) == 0 || top[0].Value == "" {
		t.Errorf("top client_country = %+v, want countries from Config.Locate", top)
	}
}

func TestDuckDBInvalidUTF8(t *testing.T) {
	ctx := context.Background()
	s, err := OpenDuckDB(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fl := &record.Flow{Schema: 1, ID: "utf8", IPVersion: 4, L4: "TCP", ClientIP: "127.0.0.1", ServerIP: "127.0.0.2",
		Risks: []string{"bad\xffrisk"}, TLS: &record.TLS{SNI: "bad\xffsni", Cipher: "bad\xfecipher"}}
	if err := s.WriteFlows(ctx, []*record.Flow{fl}); err != nil {
		t.Fatalf("write a flow with invalid UTF-8: %v", err)
	}
	got, err := s.QueryFlows(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].TLS == nil {
		t.Fatalf("read back %d flows: %s", len(got), jsonLines(t, got))
	}
	if got[0].TLS.SNI != "bad\uFFFDsni" {
		t.Errorf("tls.sni = %q, want %q", got[0].TLS.SNI, "bad\uFFFDsni")
	}
	if got[0].TLS.Cipher != "bad\uFFFDcipher" {
		t.Errorf("tls.cipher = %q, want %q", got[0].TLS.Cipher, "bad\uFFFDcipher")
	}
	if len(got[0].Risks) != 1 || got[0].Risks[0] != "bad\uFFFDrisk" {
		t.Errorf("risks = %q, want [%q]", got[0].Risks, "bad\uFFFDrisk")
	}

	// A filter value with the same invalid bytes binds and matches.
	for _, text := range []string{`tls.sni = "bad\xffsni"`, `tls.cipher contains "\xfe"`, `risks = "bad\xffrisk"`} {
		f, err := ParseFilter(text)
		if err != nil {
			t.Fatal(err)
		}
		matched, err := s.QueryFlows(ctx, Query{Scope: Scope{Filter: f}})
		if err != nil {
			t.Errorf("%s: %v", text, err)
		} else if len(matched) != 1 {
			t.Errorf("%s: %d flows, want 1", text, len(matched))
		}
	}
}

func TestDuckDBMigrateVersion2(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := OpenDuckDB(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	flows := loadTestFlows(t)
	if err := s.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	// Turn the database into one of version 2, which had no low-64-bit
	// columns.
	for _, stmt := range []string{`ALTER TABLE flows DROP COLUMN client_ip_low64`,
		`ALTER TABLE flows DROP COLUMN server_ip_low64`, `UPDATE flowlens_schema SET version = 2`} {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err = OpenDuckDB(ctx, dir)
	if err != nil {
		t.Fatalf("open a version 2 database: %v", err)
	}
	defer s.Close()
	var version int
	if err := s.db.QueryRowContext(ctx, `SELECT version FROM flowlens_schema`).Scan(&version); err != nil || version != duckdbSchemaVersion {
		t.Errorf("schema version after migration = %d, %v; want %d", version, err, duckdbSchemaVersion)
	}
	addr := flows[0].ServerIP
	want := 0
	for _, fl := range flows {
		if fl.ClientIP == addr || fl.ServerIP == addr {
			want++
		}
	}
	f, err := ParseFilter("ip = " + addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Count(ctx, Scope{Filter: f})
	if err != nil || n != uint64(want) {
		t.Errorf("Count(ip = %s) after migration = %d, %v; want %d", addr, n, err, want)
	}
	if err := s.WriteFlows(ctx, flows[:1]); err != nil {
		t.Errorf("write after migration: %v", err)
	}
}
