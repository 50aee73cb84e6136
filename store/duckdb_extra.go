package store

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/flowlens/flowlens/record"
)

// The embedded backend keeps the top-level fields and the nested fields
// that the explorer filters and groups on most (duckdbColumnFields) in
// columns of their own. Every other nested field goes into one JSON object
// in the extra column, keyed by dotted name, and lists are stored as JSON
// array text. DuckDB's insert cost grows with the number of columns and is
// highest for LIST columns, so this keeps ingest fast. Filters on a packed
// field still work through json_extract, but they parse the JSON of every
// row they scan.
const duckdbExtraColumn = "extra"

// duckdbColumnFields are the nested fields that keep their own column.
var duckdbColumnFields = map[string]bool{
	"tls.version": true, "tls.sni": true, "tls.ja3": true, "tls.ja4": true,
	"dns.query": true, "http.host": true,
}

// duckdbColumns lists the fields that have a column, in table order; the
// extra column follows them.
var duckdbColumns, duckdbPacked = splitDuckDBColumns()

// duckdbPackedKeys holds the JSON object key of each packed field, colon
// included, so that appendExtra does not encode the names for every row.
var duckdbPackedKeys = packedKeys()

func packedKeys() [][]byte {
	keys := make([][]byte, len(duckdbPacked))
	for i, f := range duckdbPacked {
		keys[i] = append(appendJSONString(nil, f.name), ':')
	}
	return keys
}

func splitDuckDBColumns() (own, packed []*field) {
	for _, f := range columns {
		if isPacked(f) {
			packed = append(packed, f)
		} else {
			own = append(own, f)
		}
	}
	return own, packed
}

// isPacked reports whether the embedded backend stores f in extra.
func isPacked(f *field) bool {
	return f.name != f.column && !duckdbColumnFields[f.name]
}

// duckdbExpr returns the SQL expression of a stored field. A list field's
// expression is its JSON array text.
func duckdbExpr(f *field) string {
	if !isPacked(f) {
		return `"` + f.column + `"`
	}
	path := duckdbExtraColumn + `, '$."` + f.name + `"'`
	switch f.kind {
	case kindUint:
		return "coalesce(CAST(json_extract_string(" + path + ") AS UBIGINT), 0)"
	case kindTime:
		return "make_timestamp(coalesce(CAST(json_extract_string(" + path + ") AS BIGINT), 0))"
	case kindList:
		return "coalesce(CAST(json_extract(" + path + ") AS VARCHAR), '[]')"
	}
	return "coalesce(json_extract_string(" + path + "), '')"
}

// appendExtra appends the JSON object of fl's packed fields that have a
// value. Times are microseconds since the Unix epoch.
func appendExtra(b []byte, fl *record.Flow) []byte {
	b = append(b, '{')
	first := true
	for i, f := range duckdbPacked {
		start := len(b)
		if !first {
			b = append(b, ',')
		}
		b = append(b, duckdbPackedKeys[i]...)
		if !appendExtraValue(&b, f, fl) {
			b = b[:start]
			continue
		}
		first = false
	}
	return append(b, '}')
}

// appendExtraValue appends f's value and reports whether it has one.
func appendExtraValue(b *[]byte, f *field, fl *record.Flow) bool {
	switch f.kind {
	case kindUint:
		n := f.num(fl)
		*b = strconv.AppendUint(*b, n, 10)
		return n != 0
	case kindTime:
		us := timeMicros(f.tm(fl))
		*b = strconv.AppendInt(*b, us, 10)
		return us != 0
	case kindList:
		l := f.list(fl)
		*b = appendJSONList(*b, l)
		return len(l) > 0
	}
	s := f.str(fl)
	*b = appendJSONString(*b, s)
	return s != ""
}

func appendJSONList(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string (RFC 8259, section 7).
// Invalid UTF-8 becomes U+FFFD, as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\ufffd"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// setExtra sets the packed fields of fl from the extra column's JSON.
func setExtra(fl *record.Flow, text string) error {
	var values map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &values); err != nil {
		return errorf("read extra column: %w", err)
	}
	for name, raw := range values {
		f, ok := fieldsByName[name]
		if !ok || !isPacked(f) {
			continue
		}
		if err := setExtraValue(f, fl, raw); err != nil {
			return errorf("read extra column field %s: %w", name, err)
		}
	}
	return nil
}

func setExtraValue(f *field, fl *record.Flow, raw json.RawMessage) error {
	switch f.kind {
	case kindUint:
		var n uint64
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		f.setNum(fl, n)
	case kindTime:
		var us int64
		if err := json.Unmarshal(raw, &us); err != nil {
			return err
		}
		f.setTime(fl, time.UnixMicro(us).UTC())
	case kindList:
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		f.setList(fl, l)
	default:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		f.setStr(fl, s)
	}
	return nil
}

// parseJSONList reads a list column's JSON array text.
func parseJSONList(text string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(text), &l); err != nil {
		return nil, errorf("read list column: %w", err)
	}
	return l, nil
}
