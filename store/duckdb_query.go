package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// duckdbDialect writes every value as a bind parameter.
type duckdbDialect struct{}

func (duckdbDialect) value(w *sqlWriter, v any) {
	switch x := v.(type) {
	case [16]byte:
		v = x[:]
	case time.Time:
		v = duckdbTime(x)
	case string:
		// The driver cannot bind a string that is not UTF-8, and stored
		// strings have U+FFFD for invalid bytes, so a value gets the same.
		v = strings.ToValidUTF8(x, "\uFFFD")
	}
	w.args = append(w.args, v)
	w.WriteByte('?')
}

func (duckdbDialect) column(f *field) string { return duckdbExpr(f) }

func (d duckdbDialect) timeCond(w *sqlWriter, f *field, op string, t time.Time) {
	w.WriteString(d.column(f) + " " + op + " ")
	d.value(w, t)
}

func (d duckdbDialect) contains(w *sqlWriter, expr, needle string) {
	w.WriteString("contains(" + expr + ", ")
	d.value(w, needle)
	w.WriteByte(')')
}

func (d duckdbDialect) startsWith(w *sqlWriter, expr, prefix string) {
	w.WriteString("starts_with(" + expr + ", ")
	d.value(w, prefix)
	w.WriteByte(')')
}

func (duckdbDialect) listAny(w *sqlWriter, f *field, each func(elem string)) {
	w.WriteString(`len(list_filter(from_json(` + duckdbExpr(f) + `, '["VARCHAR"]'), lambda elem: `)
	each("elem")
	w.WriteString(")) > 0")
}

// duckdbSelectList is every flow column in table order, extra last.
func duckdbSelectList() string {
	parts := make([]string, 0, len(duckdbColumns)+1)
	for _, f := range duckdbColumns {
		parts = append(parts, duckdbExpr(f))
	}
	return strings.Join(append(parts, duckdbExtraColumn), ", ")
}

// QueryFlows returns the flows the query selects.
func (d *DuckDB) QueryFlows(ctx context.Context, q Query) ([]*record.Flow, error) {
	from, args, err := duckdbFrom(q.Scope)
	if err != nil {
		return nil, err
	}
	order, err := orderColumns(duckdbDialect{}, &q)
	if err != nil {
		return nil, err
	}
	query := "SELECT " + duckdbSelectList() + " FROM " + from + " ORDER BY " + order + limitClause(q.Limit, q.Offset)
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errorf("query flows: %w", err)
	}
	defer rows.Close()
	var out []*record.Flow
	dest, holders := duckdbHolders()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, errorf("read flow: %w", err)
		}
		fl, err := holders.flow()
		if err != nil {
			return nil, err
		}
		out = append(out, fl)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("query flows: %w", err)
	}
	return out, nil
}

func limitClause(limit, offset int) string {
	s := ""
	if limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", limit)
	}
	if offset > 0 {
		s += fmt.Sprintf(" OFFSET %d", offset)
	}
	return s
}

// rowHolders receives one scanned row, one holder per column; lists scan
// as their JSON text into strs, and extra is the last column.
type rowHolders struct {
	strs  []string
	nums  []uint64
	times []time.Time
	blobs [][]byte
	extra string
}

func duckdbHolders() ([]any, *rowHolders) {
	n := len(duckdbColumns)
	h := &rowHolders{strs: make([]string, n), nums: make([]uint64, n), times: make([]time.Time, n),
		blobs: make([][]byte, n)}
	dest := make([]any, n+1)
	for i, f := range duckdbColumns {
		switch f.kind {
		case kindUint:
			dest[i] = &h.nums[i]
		case kindTime:
			dest[i] = &h.times[i]
		case kindIP:
			dest[i] = &h.blobs[i]
		default:
			dest[i] = &h.strs[i]
		}
	}
	dest[n] = &h.extra
	return dest, h
}

// flow builds a record from the scanned row; zero values stay absent.
func (h *rowHolders) flow() (*record.Flow, error) {
	fl := &record.Flow{Risks: []string{}}
	for i, f := range duckdbColumns {
		switch f.kind {
		case kindUint:
			if h.nums[i] != 0 {
				f.setNum(fl, h.nums[i])
			}
		case kindTime:
			if us := h.times[i].UnixMicro(); us != 0 {
				f.setTime(fl, time.UnixMicro(us).UTC())
			}
		case kindIP:
			f.setStr(fl, ipString(h.blobs[i], fl.IPVersion))
		case kindList:
			l, err := parseJSONList(h.strs[i])
			if err != nil {
				return nil, err
			}
			if len(l) > 0 {
				f.setList(fl, l)
			}
		default:
			if h.strs[i] != "" {
				f.setStr(fl, h.strs[i])
			}
		}
	}
	return fl, setExtra(fl, h.extra)
}

// ipString formats a stored 16-byte address. IPv4 flows print in dotted
// form. All zero bytes are "::" in an IPv6 flow and an absent address
// otherwise, since IPv4 addresses are stored mapped into ::ffff:0:0/96.
func ipString(b []byte, ipVersion int) string {
	if len(b) != 16 || (ipVersion != 6 && string(b) == string(make([]byte, 16))) {
		return ""
	}
	a := netip.AddrFrom16([16]byte(b))
	if ipVersion != 6 {
		a = a.Unmap()
	}
	return a.String()
}

func addrString(ap netip.AddrPort) string {
	if !ap.Addr().IsValid() {
		return ""
	}
	return ap.Addr().String()
}

// Count returns how many flows the scope selects.
func (d *DuckDB) Count(ctx context.Context, s Scope) (uint64, error) {
	from, args, err := duckdbFrom(s)
	if err != nil {
		return 0, err
	}
	var n uint64
	if err := d.db.QueryRowContext(ctx, "SELECT count(*) FROM "+from, args...).Scan(&n); err != nil {
		return 0, errorf("count flows: %w", err)
	}
	return n, nil
}

// Top returns the values of q.By with the most bytes.
func (d *DuckDB) Top(ctx context.Context, q TopQuery) ([]TopEntry, error) {
	f, err := topField(q.By)
	if err != nil {
		return nil, err
	}
	from, args, err := duckdbFrom(q.Scope)
	if err != nil {
		return nil, err
	}
	col := duckdbDialect{}.column(f)
	query := "SELECT " + col + ", sum(c2s_bytes + s2c_bytes)::UBIGINT AS b, count(*) FROM " + from +
		" GROUP BY " + col + " ORDER BY b DESC, " + col + limitClause(q.N, 0)
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errorf("top %s: %w", q.By, err)
	}
	defer rows.Close()
	var out []TopEntry
	for rows.Next() {
		var v any
		var e TopEntry
		if err := rows.Scan(&v, &e.Bytes, &e.Flows); err != nil {
			return nil, errorf("top %s: %w", q.By, err)
		}
		e.Value = topValue(f, v)
		out = append(out, e)
	}
	return out, rows.Err()
}

// topValue formats a grouped value the way the record writes it.
func topValue(f *field, v any) string {
	switch x := v.(type) {
	case []byte:
		return ipString(x, 0)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// BytesOverTime sums bytes per bucket of first_seen.
func (d *DuckDB) BytesOverTime(ctx context.Context, q SeriesQuery) ([]SeriesPoint, error) {
	step, err := validBucket(q.Bucket)
	if err != nil {
		return nil, err
	}
	from, args, err := duckdbFrom(q.Scope)
	if err != nil {
		return nil, err
	}
	origin := timeMicros(q.From)
	query := fmt.Sprintf("SELECT ((epoch_us(first_seen) - %d) // %d) * %d + %d AS k, sum(c2s_bytes + s2c_bytes)::UBIGINT, count(*) FROM %s GROUP BY k ORDER BY k",
		origin, step, step, origin, from)
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errorf("bytes over time: %w", err)
	}
	defer rows.Close()
	var out []SeriesPoint
	for rows.Next() {
		var us int64
		var p SeriesPoint
		if err := rows.Scan(&us, &p.Bytes, &p.Flows); err != nil {
			return nil, errorf("bytes over time: %w", err)
		}
		p.Start = time.UnixMicro(us).UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// QueryAlerts returns alerts in [From, To), newest first.
func (d *DuckDB) QueryAlerts(ctx context.Context, q AlertQuery) ([]Alert, error) {
	var conds []string
	var args []any
	if !q.From.IsZero() {
		conds, args = append(conds, `"time" >= ?`), append(args, duckdbTime(q.From))
	}
	if !q.To.IsZero() {
		conds, args = append(conds, `"time" < ?`), append(args, duckdbTime(q.To))
	}
	where := "1 = 1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	query := `SELECT "time", severity, risk, description, client_ip, client_port, server_ip, server_port, flow_id FROM alerts WHERE ` +
		where + ` ORDER BY "time" DESC, risk, flow_id` + limitClause(q.Limit, 0)
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errorf("query alerts: %w", err)
	}
	defer rows.Close()
	return scanAlerts(rows)
}

func scanAlerts(rows *sql.Rows) ([]Alert, error) {
	var out []Alert
	for rows.Next() {
		var a Alert
		var cip, sip string
		var cport, sport uint16
		if err := rows.Scan(&a.Time, &a.Severity, &a.Risk, &a.Description, &cip, &cport, &sip, &sport, &a.FlowID); err != nil {
			return nil, errorf("read alert: %w", err)
		}
		a.Time = a.Time.UTC()
		a.Client = addrPort(cip, cport)
		a.Server = addrPort(sip, sport)
		out = append(out, a)
	}
	return out, rows.Err()
}

func addrPort(ip string, port uint16) netip.AddrPort {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, port)
}
