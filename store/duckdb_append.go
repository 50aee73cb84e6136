package store

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/flowlens/flowlens/record"
)

// duckdbBulkMin is the smallest batch that WriteFlows loads from CSV files.
// Smaller batches go through the Appender, because a CSV load costs more
// per batch (files to write and read, a query to plan) and a small batch
// does not repay it.
// NOTE: measured with storebench on a shared 2-core machine only. At
// 10,000 flows a batch the Appender took about 10% less CPU per flow, at
// 100,000 the CSV load about 7% less. The crossover in between is a guess.
const duckdbBulkMin = 50_000

// appendFlows writes the batch through DuckDB's Appender in one flush.
func (d *DuckDB) appendFlows(ctx context.Context, flows []*record.Flow) error {
	return d.appendRows(ctx, "flows", func(add func(...driver.Value) error) error {
		row := make([]driver.Value, len(duckdbColumns)+1+len(duckdbLow64Columns))
		var buf []byte
		for _, fl := range flows {
			for i, f := range duckdbColumns {
				row[i] = d.value(f, fl)
			}
			buf = appendExtra(buf[:0], fl)
			row[len(duckdbColumns)] = string(buf)
			for i, f := range duckdbLow64Columns {
				ip := ipBytes(f.str(fl))
				row[len(duckdbColumns)+1+i] = binary.BigEndian.Uint64(ip[8:])
			}
			if err := add(row...); err != nil {
				return err
			}
		}
		return nil
	})
}

// value returns the Appender value of f in fl. Strings that are not valid
// UTF-8 get U+FFFD in place of the invalid bytes, as in the CSV load.
func (d *DuckDB) value(f *field, fl *record.Flow) driver.Value {
	switch f.kind {
	case kindUint:
		return f.num(fl)
	case kindTime:
		return duckdbTime(f.tm(fl))
	case kindIP:
		b := ipBytes(f.str(fl))
		return b[:]
	case kindList:
		return string(appendJSONList(nil, f.list(fl)))
	}
	s := f.value(fl, d.Locate)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}
