package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/flowlens/flowlens/record"
)

// The embedded backend inserts a batch of flows through a table function
// that it registers in DuckDB: INSERT INTO flows SELECT * FROM
// flowlens_batch() reads the batch straight from the Go records. DuckDB
// calls the function on each of its threads, so the Go code that fills the
// vectors runs on both cores along with DuckDB's insert, and no text is
// written, read back or parsed. The CSV files that the backend loaded with
// read_csv before took about as much CPU time per flow, and the Appender
// fills its chunks on the caller's thread alone.

// duckdbBatchFunction is the name of the table function that returns the
// batch being loaded.
const duckdbBatchFunction = "flowlens_batch"

// errNoBatch is the error of a call of the batch function outside a load.
var errNoBatch = errors.New("store: " + duckdbBatchFunction + " returns rows only while flowlens loads a batch")

// openLoader opens the connection that loads flows and registers the
// batch function. The connection does not preserve insertion order, so
// DuckDB's threads each write their own row groups without putting the
// batch back in order. Every query of the backend that returns rows orders
// them itself. With read_csv as the source, this loaded 123,000 and
// 128,000 flows per CPU second against 116,000 and 112,000 with the
// default, in two back-to-back pairs of storebench runs of 2M flows.
func (d *DuckDB) openLoader(ctx context.Context) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION preserve_insertion_order = false"); err != nil {
		conn.Close()
		return err
	}
	if err := d.registerBatchFunction(conn); err != nil {
		conn.Close()
		return err
	}
	d.loader = conn
	return nil
}

// registerBatchFunction registers the batch function on conn. The
// function returns the batch in d.batch, which loadFlows sets while it
// holds d.mu.
func (d *DuckDB) registerBatchFunction(conn *sql.Conn) error {
	infos, err := duckdbColumnInfos()
	if err != nil {
		return err
	}
	return duckdb.RegisterTableUDF(conn, duckdbBatchFunction, duckdb.ParallelChunkTableFunction{
		BindArguments: func(map[string]any, ...any) (duckdb.ParallelChunkTableSource, error) {
			b := d.batch.Load()
			if b == nil {
				return nil, errNoBatch
			}
			return &batchSource{batch: b, infos: infos}, nil
		},
	})
}

// loadFlows inserts flows through the batch function in one statement,
// which commits on its own.
func (d *DuckDB) loadFlows(ctx context.Context, flows []*record.Flow) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.batch.Store(&flowBatch{flows: flows, locate: d.Locate})
	defer d.batch.Store(nil)
	if _, err := d.loader.ExecContext(ctx, "INSERT INTO flows SELECT * FROM "+duckdbBatchFunction+"()"); err != nil {
		return errorf("write flows: %w", err)
	}
	return nil
}

// duckdbColumnInfos returns the columns of the batch function: those of
// the flows table, in table order.
func duckdbColumnInfos() ([]duckdb.ColumnInfo, error) {
	var infos []duckdb.ColumnInfo
	add := func(name string, t duckdb.Type) error {
		info, err := duckdb.NewTypeInfo(t)
		if err != nil {
			return errorf("type of column %s: %w", name, err)
		}
		infos = append(infos, duckdb.ColumnInfo{Name: name, T: info})
		return nil
	}
	for _, f := range duckdbColumns {
		if err := add(f.column, duckdbTypeID(f)); err != nil {
			return nil, err
		}
	}
	if err := add(duckdbExtraColumn, duckdb.TYPE_VARCHAR); err != nil {
		return nil, err
	}
	for _, f := range duckdbLow64Columns {
		if err := add(f.column+"_low64", duckdb.TYPE_UBIGINT); err != nil {
			return nil, err
		}
	}
	return infos, nil
}

// duckdbTypeID returns the type of f's column, the one duckdbType names.
func duckdbTypeID(f *field) duckdb.Type {
	switch f.kind {
	case kindUint:
		return map[int]duckdb.Type{8: duckdb.TYPE_UTINYINT, 16: duckdb.TYPE_USMALLINT,
			32: duckdb.TYPE_UINTEGER, 64: duckdb.TYPE_UBIGINT}[f.bits]
	case kindTime:
		return duckdb.TYPE_TIMESTAMP
	case kindIP:
		return duckdb.TYPE_BLOB
	}
	return duckdb.TYPE_VARCHAR
}

// flowBatch is the batch being loaded, with the country lookup of the
// backend.
type flowBatch struct {
	flows  []*record.Flow
	locate Locator
	// next is the index of the first flow that no thread has taken yet.
	next atomic.Int64
}

// batchSource is one call of the batch function.
type batchSource struct {
	batch *flowBatch
	infos []duckdb.ColumnInfo
}

// ColumnInfos returns the columns of the flows table.
func (s *batchSource) ColumnInfos() []duckdb.ColumnInfo { return s.infos }

// Cardinality returns the number of flows in the batch.
func (s *batchSource) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(len(s.batch.flows)), Exact: true}
}

// Init lets DuckDB call FillChunk on as many threads as it runs, up to one
// per CPU. With a MaxThreads of zero, DuckDB 1.5.6 ran the function on one
// thread, and a load of 2M flows kept 1.1 cores busy.
func (s *batchSource) Init() duckdb.ParallelTableSourceInfo {
	return duckdb.ParallelTableSourceInfo{MaxThreads: runtime.NumCPU()}
}

// NewLocalState returns the scratch buffers of one thread.
func (s *batchSource) NewLocalState() any { return &chunkScratch{} }

// chunkScratch holds the buffers that one thread reuses for the values
// it writes. DuckDB copies each string and blob out of them.
type chunkScratch struct {
	ip   [16]byte
	text []byte
}

// FillChunk writes the next flows of the batch that no other thread has
// taken, up to a chunk's capacity, column by column.
func (s *batchSource) FillChunk(state any, chunk duckdb.DataChunk) error {
	scratch := state.(*chunkScratch)
	size := int64(duckdb.GetDataChunkCapacity())
	total := int64(len(s.batch.flows))
	start := s.batch.next.Add(size) - size
	flows := s.batch.flows[min(start, total):min(start+size, total)]
	if err := chunk.SetSize(len(flows)); err != nil || len(flows) == 0 {
		return err
	}

	for col, f := range duckdbColumns {
		if err := s.fillColumn(chunk, col, f, flows, scratch); err != nil {
			return err
		}
	}

	extra := len(duckdbColumns)
	for row, fl := range flows {
		scratch.text = appendExtra(scratch.text[:0], fl)
		if err := duckdb.SetChunkValue(chunk, extra, row, scratch.text); err != nil {
			return err
		}
	}
	return nil
}

// fillColumn writes f's values of flows into column col of chunk, and for
// an address field its low 64 bits into the matching low-64-bit column.
func (s *batchSource) fillColumn(chunk duckdb.DataChunk, col int, f *field, flows []*record.Flow, scratch *chunkScratch) error {
	low64 := len(duckdbColumns) + 1 + duckdbLow64Index[f]
	var err error
	for row, fl := range flows {
		switch f.kind {
		case kindUint:
			err = setChunkUint(chunk, col, row, f.bits, f.num(fl))
		case kindTime:
			err = duckdb.SetChunkValue(chunk, col, row, duckdbTime(f.tm(fl)))
		case kindIP:
			scratch.ip = ipBytes(f.str(fl))
			err = errors.Join(duckdb.SetChunkValue(chunk, col, row, scratch.ip[:]),
				duckdb.SetChunkValue(chunk, low64, row, binary.BigEndian.Uint64(scratch.ip[8:])))
		case kindList:
			scratch.text = appendJSONList(scratch.text[:0], f.list(fl))
			err = duckdb.SetChunkValue(chunk, col, row, scratch.text)
		default:
			err = duckdb.SetChunkValue(chunk, col, row, validUTF8(f.value(fl, s.batch.locate)))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// duckdbLow64Index maps each address field to its place among the
// low-64-bit columns.
var duckdbLow64Index = low64Index()

func low64Index() map[*field]int {
	m := make(map[*field]int, len(duckdbLow64Columns))
	for i, f := range duckdbLow64Columns {
		m[f] = i
	}
	return m
}

// validUTF8 returns s with U+FFFD in place of bytes that are not valid
// UTF-8, as in the JSON Lines output of the record. DuckDB's VARCHAR holds
// only valid UTF-8. duckdb-go writes an invalid string as NULL, and the
// NOT NULL constraint of every column then rejects the whole batch.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// setChunkUint writes n as the Go type of a column of the given width.
func setChunkUint(chunk duckdb.DataChunk, col, row, bits int, n uint64) error {
	switch bits {
	case 8:
		return duckdb.SetChunkValue(chunk, col, row, uint8(n))
	case 16:
		return duckdb.SetChunkValue(chunk, col, row, uint16(n))
	case 32:
		return duckdb.SetChunkValue(chunk, col, row, uint32(n))
	}
	return duckdb.SetChunkValue(chunk, col, row, n)
}
