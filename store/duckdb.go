package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/flowlens/flowlens/record"
)

// DuckDBFile is the database file that the embedded backend keeps in its
// data directory.
const DuckDBFile = "flows.duckdb"

// DuckDB is the embedded backend: one DuckDB database file under a data
// directory. Flows are inserted through a table function that reads the
// batch (see loadFlows), and alerts go through DuckDB's Appender.
type DuckDB struct {
	db   *sql.DB
	dir  string
	path string
	// mu serialises writers: an Appender holds a connection for a batch,
	// and a load of flows runs on all of DuckDB's threads.
	mu sync.Mutex
	// loader is the connection that loads flows (see openLoader).
	loader *sql.Conn
	// batch is the batch that loadFlows is inserting, nil between loads.
	batch atomic.Pointer[flowBatch]
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
	connector, err := duckdb.NewConnector("", func(conn driver.ExecerContext) error {
		return attachDuckDB(conn, path)
	})
	if err != nil {
		return nil, errorf("open %q: %w", path, err)
	}
	db := sql.OpenDB(connector)
	d := &DuckDB{db: db, dir: dir, path: path}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, explainOpenError(path, err)
	}
	// The open database holds DuckDB's file lock, so no other process is
	// writing batch files here.
	if err := removeStaleCSV(dir); err != nil {
		db.Close()
		return nil, errorf("remove unfinished batch files in %q: %w", dir, err)
	}
	if err := d.openLoader(ctx); err != nil {
		db.Close()
		return nil, explainOpenError(path, errorf("open %q: %w", path, err))
	}
	return d, nil
}

// duckdbCatalog is the name under which every connection attaches the
// database file and makes it the default for the tables it names.
const duckdbCatalog = "flowlens"

// attachDuckDB attaches the database file at path to the in-memory DuckDB
// instance of conn, unless an earlier connection did, and makes it conn's
// default database. The file is attached rather than opened as the main
// database because ROW_GROUP_SIZE is an option of ATTACH, not a setting.
//
//   - STORAGE_VERSION v1.3.0 lets DuckDB compress strings with DICT_FSST,
//     which the default format, readable by DuckDB 0.10.2, lacks. A file
//     written so opens only in DuckDB 1.3 or later. An older file is
//     upgraded when it is attached.
//   - ROW_GROUP_SIZE 49152, 40% less than DuckDB's default of 122,880
//     rows: a batch of at least one row group skips the write-ahead log,
//     because DuckDB compresses its row groups and writes them to the file
//     during the insert. A smaller batch goes through the log, and a
//     checkpoint compresses it later.
//
// storebench loaded 2M flows in batches of 100,000 on 2 cores at a load
// average of 0.4 to 8. Without either option the load took 124,000 and
// 128,000 flows per CPU second, with the storage version alone 152,000 to
// 161,000. With both, at 65,536 rows a row group it took 181,000 to
// 192,000, and at 49,152 mostly 203,000 to 215,000. The file grows as the
// row groups shrink: 66 to 69 MB for the 2M flows at 65,536 rows, 76 MB
// or more at 49,152.
// NOTE: why 49,152 rows took less CPU than 65,536 at this batch size was
// not looked into, so other batch sizes and core counts may favour
// another row group size.
func attachDuckDB(conn driver.ExecerContext, path string) error {
	for _, stmt := range []string{
		"ATTACH IF NOT EXISTS " + duckdbString(path) + " AS " + duckdbCatalog +
			" (STORAGE_VERSION 'v1.3.0', ROW_GROUP_SIZE 49152)",
		"USE " + duckdbCatalog,
	} {
		if _, err := conn.ExecContext(context.Background(), stmt, nil); err != nil {
			return errorf("open %q: %w", path, err)
		}
	}
	return nil
}

// duckdbString returns s as a DuckDB string literal, single quotes
// doubled. It is for the backend's own file paths, which DuckDB's ATTACH
// takes only as literals.
func duckdbString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// lockHolder finds the process ID in DuckDB's error for a database file
// that another process has open.
var lockHolder = regexp.MustCompile(`Conflicting lock is held in .* \(PID (\d+)\)`)

// explainOpenError turns DuckDB's error for a database file that another
// process holds into what a user can do about it. Other errors pass
// through.
func explainOpenError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock on file"):
		holder := "another process"
		if m := lockHolder.FindStringSubmatch(msg); m != nil {
			holder = "process " + m[1]
		}
		return errorf("%q is open in %s, probably flowlens serve or import: DuckDB lets one process use it at a time. "+
			"Stop that process, or read its flows through serve's web UI or REST API (GET /api/history/flows)", path, holder)
	}
	return err
}

// migrate creates the tables of a new database, brings one of an older
// schema version up to date and rejects one of a newer version.
func (d *DuckDB) migrate(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS flowlens_schema (version INTEGER NOT NULL)`); err != nil {
		return errorf("create schema table in %q: %w", d.path, err)
	}
	var version int
	err := d.db.QueryRowContext(ctx, `SELECT version FROM flowlens_schema`).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return d.execAll(ctx, "create tables", duckdbFlowsTable(), duckdbAlertsTable,
			fmt.Sprintf(`INSERT INTO flowlens_schema VALUES (%d)`, duckdbSchemaVersion))
	}
	if err != nil {
		return errorf("read schema version of %q: %w", d.path, err)
	}
	switch version {
	case duckdbSchemaVersion:
		return nil
	case SchemaVersion:
		// DuckDB rejects the commit of a transaction that alters a table
		// and then updates it, so each statement commits alone. They can
		// run again after an interruption, and the version changes last.
		for _, stmt := range duckdbAddLow64() {
			if err := d.execAll(ctx, "add the low 64 bits of addresses", stmt); err != nil {
				return err
			}
		}
		return nil
	}
	return errorf("%q has schema version %d, this flowlens reads version %d; move the file aside to start a new database", d.path, version, duckdbSchemaVersion)
}

// execAll runs the statements in one transaction.
func (d *DuckDB) execAll(ctx context.Context, what string, stmts ...string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return errorf("%s in %q: %w", what, d.path, err)
	}
	defer tx.Rollback()
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return errorf("%s in %q: %w", what, d.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return errorf("%s in %q: %w", what, d.path, err)
	}
	return nil
}

// SchemaVersion is the version of the tables both backends create; a
// change of columns bumps it.
const SchemaVersion = 2

// duckdbSchemaVersion is the version of the embedded backend's tables:
// those of SchemaVersion 2 plus a low-64-bit column for each address
// column (see duckdbLow64Columns).
const duckdbSchemaVersion = 3

// duckdbLow64Columns lists the address fields, in table order, that have a
// UBIGINT column with the low 64 bits of the address after the extra
// column. A filter on an address tests that number first (see
// ipLow64Cond). For an IPv4 address, stored mapped into ::ffff:0:0/96,
// the low 64 bits alone tell it apart from every other IPv4 address.
var duckdbLow64Columns = low64Columns()

func low64Columns() []*field {
	var out []*field
	for _, f := range duckdbColumns {
		if f.kind == kindIP {
			out = append(out, f)
		}
	}
	return out
}

func (duckdbDialect) low64Column(f *field) string { return `"` + f.column + `_low64"` }

// duckdbAddLow64 returns the statements that bring a version 2 database to
// version 3: they add the low-64-bit columns and fill them from the
// addresses.
func duckdbAddLow64() []string {
	var stmts []string
	for _, f := range duckdbLow64Columns {
		col := duckdbDialect{}.low64Column(f)
		stmts = append(stmts,
			"ALTER TABLE flows ADD COLUMN IF NOT EXISTS "+col+" UBIGINT DEFAULT 0",
			"UPDATE flows SET "+col+" = ('0x' || substr(hex(\""+f.column+"\"), 17, 16))::UBIGINT")
	}
	return append(stmts, fmt.Sprintf("UPDATE flowlens_schema SET version = %d", duckdbSchemaVersion))
}

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
// field of duckdbColumns, lists as JSON array text, then the extra column
// and the low-64-bit columns.
func duckdbFlowsTable() string {
	cols := make([]string, 0, len(duckdbColumns)+1)
	for _, f := range duckdbColumns {
		cols = append(cols, fmt.Sprintf("%q %s NOT NULL", f.column, duckdbType(f)))
	}
	cols = append(cols, fmt.Sprintf("%q VARCHAR NOT NULL", duckdbExtraColumn))
	for _, f := range duckdbLow64Columns {
		cols = append(cols, duckdbDialect{}.low64Column(f)+" UBIGINT NOT NULL")
	}
	return "CREATE TABLE flows (" + strings.Join(cols, ", ") + ")"
}

const duckdbAlertsTable = `CREATE TABLE alerts (
	"time" TIMESTAMP NOT NULL, severity VARCHAR NOT NULL, risk VARCHAR NOT NULL,
	description VARCHAR NOT NULL, client_ip VARCHAR NOT NULL, client_port USMALLINT NOT NULL,
	server_ip VARCHAR NOT NULL, server_port USMALLINT NOT NULL, flow_id VARCHAR NOT NULL)`

// WriteFlows inserts the batch in one statement, which commits before
// WriteFlows returns.
func (d *DuckDB) WriteFlows(ctx context.Context, flows []*record.Flow) error {
	if len(flows) == 0 {
		return nil
	}
	return d.loadFlows(ctx, flows)
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

// duckdbCSVPattern names the batch files that earlier versions of the
// backend wrote in the data directory and loaded with read_csv.
const duckdbCSVPattern = "ingest-*.csv"

// removeStaleCSV removes the batch files that a process of an earlier
// version, stopped in the middle of a write, left in dir. Their flows were
// never committed, so the WriteFlows call that wrote them did not return
// success.
func removeStaleCSV(dir string) error {
	stale, err := filepath.Glob(filepath.Join(dir, duckdbCSVPattern))
	if err != nil {
		return err
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (d *DuckDB) Close() error {
	d.mu.Lock()
	err := d.loader.Close()
	d.mu.Unlock()
	return errors.Join(err, d.db.Close())
}
