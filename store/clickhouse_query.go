package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// clickhouseDialect writes values as literals: numbers in decimal and
// strings and addresses through quoteString.
type clickhouseDialect struct{}

func (clickhouseDialect) value(w *sqlWriter, v any) {
	switch x := v.(type) {
	case string:
		w.WriteString(quoteString(x))
	case [16]byte:
		w.WriteString(quoteString(string(x[:])))
	case uint64:
		w.WriteString(formatUint(x))
	case time.Time:
		w.WriteString(strconv.FormatInt(timeMicros(x), 10))
	default:
		panic(fmt.Sprintf("store: no ClickHouse literal for %T", v))
	}
}

func (clickhouseDialect) column(f *field) string { return clickhouseColumn(f) }

// timeCond compares the microsecond column and, for first_seen, also the
// DateTime column of the primary key so that ClickHouse skips parts.
func (d clickhouseDialect) timeCond(w *sqlWriter, f *field, op string, t time.Time) {
	us := strconv.FormatInt(timeMicros(t), 10)
	w.WriteString("(" + d.column(f) + " " + op + " " + us)
	if f.name == "first_seen" && !t.IsZero() && t.Unix() >= 0 && t.Unix() < 1<<32 {
		coarse := map[string]string{"<": "<=", "<=": "<=", ">": ">=", ">=": ">=", "=": "="}[op]
		fmt.Fprintf(w, " AND first_seen %s toDateTime(%d)", coarse, t.Unix())
	}
	w.WriteByte(')')
}

func (d clickhouseDialect) contains(w *sqlWriter, expr, needle string) {
	w.WriteString("position(" + expr + ", " + quoteString(needle) + ") > 0")
}

func (d clickhouseDialect) startsWith(w *sqlWriter, expr, prefix string) {
	w.WriteString("startsWith(" + expr + ", " + quoteString(prefix) + ")")
}

func (clickhouseDialect) listAny(w *sqlWriter, f *field, each func(elem string)) {
	w.WriteString("arrayExists(elem -> ")
	each("elem")
	w.WriteString(", " + clickhouseColumn(f) + ")")
}

// clickhouseSelectList reads every flow column; addresses as hex, because
// JSON output would mangle their raw bytes. The hex gets its own alias:
// ClickHouse lets WHERE see SELECT aliases, so reusing the column name
// would make conditions compare the hex text.
func clickhouseSelectList() string {
	parts := make([]string, len(columns))
	for i, f := range columns {
		col := clickhouseColumn(f)
		if f.kind == kindIP {
			col = "hex(" + col + ") AS " + col + "_hex"
		}
		parts[i] = col
	}
	return strings.Join(parts, ", ")
}

// query runs a SELECT and calls row for each JSONEachRow object.
func (c *ClickHouse) query(ctx context.Context, query string, row func(map[string]json.RawMessage) error) error {
	out, err := c.exec(ctx, c.cfg.URL, query+" FORMAT JSONEachRow", nil)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return fmt.Errorf("read JSONEachRow: %w", err)
		}
		if err := row(m); err != nil {
			return err
		}
	}
	return sc.Err()
}

// QueryFlows returns the flows the query selects.
func (c *ClickHouse) QueryFlows(ctx context.Context, q Query) ([]*record.Flow, error) {
	where, _, err := whereClause(clickhouseDialect{}, q.Scope)
	if err != nil {
		return nil, err
	}
	order, err := orderColumns(clickhouseDialect{}, &q)
	if err != nil {
		return nil, err
	}
	query := "SELECT " + clickhouseSelectList() + " FROM " + c.db + ".flows WHERE " + where + " ORDER BY " + order + limitClause(q.Limit, q.Offset)
	var out []*record.Flow
	err = c.query(ctx, query, func(m map[string]json.RawMessage) error {
		fl, err := flowFromJSONRow(m)
		out = append(out, fl)
		return err
	})
	if err != nil {
		return nil, errorf("query flows: %w", err)
	}
	return out, nil
}

// flowFromJSONRow builds a record from one row; zero values stay absent.
func flowFromJSONRow(m map[string]json.RawMessage) (*record.Flow, error) {
	fl := &record.Flow{Risks: []string{}}
	for _, f := range columns {
		key := clickhouseColumn(f)
		if f.kind == kindIP {
			key += "_hex"
		}
		raw := m[key]
		if err := setFromJSON(f, fl, raw); err != nil {
			return nil, fmt.Errorf("column %s: %w", clickhouseColumn(f), err)
		}
	}
	return fl, nil
}

func setFromJSON(f *field, fl *record.Flow, raw json.RawMessage) error {
	switch f.kind {
	case kindUint, kindTime:
		n, err := jsonInt(raw)
		if err != nil || n == 0 {
			return err
		}
		if f.kind == kindTime {
			f.setTime(fl, time.UnixMicro(n).UTC())
			return nil
		}
		f.setNum(fl, uint64(n))
	case kindIP:
		var h string
		if err := json.Unmarshal(raw, &h); err != nil {
			return err
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			return err
		}
		f.setStr(fl, ipString(b, fl.IPVersion))
	case kindList:
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil || len(l) == 0 {
			return err
		}
		f.setList(fl, l)
	default:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s == "" {
			return err
		}
		f.setStr(fl, s)
	}
	return nil
}

// jsonInt reads a number that ClickHouse may quote (64-bit integers are
// quoted by default).
func jsonInt(raw json.RawMessage) (int64, error) {
	s := strings.Trim(string(raw), `"`)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	u, err := strconv.ParseUint(s, 10, 64)
	return int64(u), err
}
