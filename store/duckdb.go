package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/flowlens/flowlens/record"
)

// DuckDBFile is the database file that the embedded backend keeps in its
// data directory.
const DuckDBFile = "flows.duckdb"

// DuckDB is the embedded backend: one DuckDB database file under a data
// directory. Flows are loaded from CSV files (see writeFlowsCSV), alerts
// written through DuckDB's Appender.
type DuckDB struct {
	db   *sql.DB
	dir  string
	path string
	// mu serialises writers: an Appender holds a connection for a batch,
	// and a CSV load runs on all of DuckDB's threads.
	mu sync.Mutex
	// Locate fills client_country and server_country; set it before the
	// first write.
	Locate Locator
}

// OpenDuckDB opens or creates the database in dir and its schema.
func OpenDuckDB(ctx context.Context, dir string) (*DuckDB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, DuckDBFile)
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, errorf("open %q: %w", path, err)
	}
	d := &DuckDB{db: db, dir: dir, path: path}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// The open database holds DuckDB's file lock, so no other process is
	// writing batch files here.
	if err := removeStaleCSV(dir); err != nil {
		db.Close()
		return nil, errorf("remove unfinished batch files in %q: %w", dir, err)
	}
	return d, nil
}

// migrate creates the tables of a new database and checks the schema
// version of an existing one.
func (d *DuckDB) migrate(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS flowlens_schema (version INTEGER NOT NULL)`); err != nil {
		return errorf("create schema table in %q: %w", d.path, err)
	}
	var version int
	err := d.db.QueryRowContext(ctx, `SELECT version FROM flowlens_schema`).Scan(&version)
	if err == nil {
		if version != SchemaVersion {
			return errorf("%q has schema version %d, this flowlens reads version %d; move the file aside to start a new database", d.path, version, SchemaVersion)
		}
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return errorf("read schema version of %q: %w", d.path, err)
	}
	for _, stmt := range []string{duckdbFlowsTable(), duckdbAlertsTable,
		fmt.Sprintf(`INSERT INTO flowlens_schema VALUES (%d)`, SchemaVersion)} {
		if _, err := d.db.ExecContext(ctx, stmt); err != nil {
			return errorf("create tables in %q: %w", d.path, err)
		}
	}
	return nil
}

// SchemaVersion is the version of the tables both backends create; a
// change of columns bumps it.
const SchemaVersion = 2

func duckdbType(f *field) string {
	switch f.kind {
	case kindUint:
		return map[int]string{8: "UTINYINT", 16: "USMALLINT", 32: "UINTEGER", 64: "UBIGINT"}[f.bits]
	case kindTime:
		return "TIMESTAMP"
	case kindIP:
		return "BLOB"
	}
	return "VARCHAR"
}

// duckdbFlowsTable returns the CREATE TABLE of the flows: one column per
// field of duckdbColumns, lists as JSON array text, then the extra column.
func duckdbFlowsTable() string {
	cols := make([]string, 0, len(duckdbColumns)+1)
	for _, f := range duckdbColumns {
		cols = append(cols, fmt.Sprintf("%q %s NOT NULL", f.column, duckdbType(f)))
	}
	cols = append(cols, fmt.Sprintf("%q VARCHAR NOT NULL", duckdbExtraColumn))
	return "CREATE TABLE flows (" + strings.Join(cols, ", ") + ")"
}

const duckdbAlertsTable = `CREATE TABLE alerts (
	"time" TIMESTAMP NOT NULL, severity VARCHAR NOT NULL, risk VARCHAR NOT NULL,
	description VARCHAR NOT NULL, client_ip VARCHAR NOT NULL, client_port USMALLINT NOT NULL,
	server_ip VARCHAR NOT NULL, server_port USMALLINT NOT NULL, flow_id VARCHAR NOT NULL)`

// WriteFlows loads the batch in one INSERT (see writeFlowsCSV).
func (d *DuckDB) WriteFlows(ctx context.Context, flows []*record.Flow) error {
	if len(flows) == 0 {
		return nil
	}
	return d.writeFlowsCSV(ctx, flows)
}

// WriteAlerts appends the batch in one Appender flush.
func (d *DuckDB) WriteAlerts(ctx context.Context, alerts []Alert) error {
	return d.appendRows(ctx, "alerts", func(add func(...driver.Value) error) error {
		for _, a := range alerts {
			err := add(duckdbTime(a.Time), a.Severity, a.Risk, a.Description,
				addrString(a.Client), a.Client.Port(), addrString(a.Server), a.Server.Port(), a.FlowID)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (d *DuckDB) appendRows(ctx context.Context, table string, fill func(func(...driver.Value) error) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return errorf("write %s: %w", table, err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return errorf("write %s: %w", table, err)
		}
		if err := fill(app.AppendRow); err != nil {
			app.Clear()
			app.Close()
			return errorf("write %s: %w", table, err)
		}
		if err := app.Close(); err != nil {
			return errorf("write %s: %w", table, err)
		}
		return nil
	})
}

// duckdbTime stores an absent time as the Unix epoch, as ClickHouse does.
func duckdbTime(t time.Time) time.Time {
	return time.UnixMicro(timeMicros(t)).UTC()
}

// Close closes the database.
func (d *DuckDB) Close() error {
	return d.db.Close()
}
