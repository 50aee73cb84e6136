package store

import (
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// dialect is what differs between the SQL of the backends. A dialect
// writes values either as bind parameters or as literals escaped by
// quoteString; field values never enter SQL text any other way.
type dialect interface {
	// value writes a string, uint64, time.Time or 16-byte address.
	value(w *sqlWriter, v any)
	// column returns the SQL expression of a stored field.
	column(f *field) string
	// timeCond writes a comparison of a time field, op one of < > <= >= =.
	timeCond(w *sqlWriter, f *field, op string, t time.Time)
	contains(w *sqlWriter, expr, needle string)
	startsWith(w *sqlWriter, expr, prefix string)
	// listAny writes a test that some element of a list column passes the
	// string condition that each writes for the element expression.
	listAny(w *sqlWriter, f *field, each func(elem string))
}

// sqlWriter collects SQL text and, for dialects with bind parameters, the
// arguments in order.
type sqlWriter struct {
	strings.Builder
	args []any
	d    dialect
}

// where writes the condition of n.
func (w *sqlWriter) where(n *node) {
	switch {
	case n.all:
		w.WriteString("1 = 1")
	case n.and != nil:
		w.list(n.and, " AND ", "1 = 1")
	case n.or != nil:
		w.list(n.or, " OR ", "1 = 0")
	case n.not != nil:
		w.WriteString("NOT (")
		w.where(n.not)
		w.WriteByte(')')
	default:
		w.cond(n.cond)
	}
}

func (w *sqlWriter) list(kids []*node, sep, empty string) {
	if len(kids) == 0 {
		w.WriteString(empty)
		return
	}
	w.WriteByte('(')
	for i, k := range kids {
		if i > 0 {
			w.WriteString(sep)
		}
		w.WriteByte('(')
		w.where(k)
		w.WriteByte(')')
	}
	w.WriteByte(')')
}

func (w *sqlWriter) cond(c *cond) {
	switch c.field.kind {
	case kindUint:
		w.numCond(c)
	case kindTime:
		w.timeCond(c)
	case kindIP:
		w.ipCond(c)
	case kindList:
		w.d.listAny(w, c.field, func(elem string) { w.stringCond(c, elem) })
	default:
		w.stringCond(c, w.d.column(c.field))
	}
}

func (w *sqlWriter) numCond(c *cond) {
	expr := w.d.column(c.field)
	if c.field.sum != nil {
		expr = "(" + strings.Join(c.field.sum, " + ") + ")"
	}
	values := make([]any, len(c.nums))
	for i, n := range c.nums {
		values[i] = n
	}
	w.compare(expr, c.op, values)
}

func (w *sqlWriter) stringCond(c *cond, expr string) {
	switch c.op {
	case OpContains:
		w.d.contains(w, expr, c.strs[0])
		return
	case OpStartsWith:
		w.d.startsWith(w, expr, c.strs[0])
		return
	}
	values := make([]any, len(c.strs))
	for i, s := range c.strs {
		values[i] = s
	}
	w.compare(expr, c.op, values)
}

// compare writes expr IN (values) or an ordered comparison with values[0].
func (w *sqlWriter) compare(expr string, op Op, values []any) {
	w.WriteString(expr)
	if op != OpIn {
		w.WriteString(" " + string(op) + " ")
		w.d.value(w, values[0])
		return
	}
	w.WriteString(" IN (")
	for i, v := range values {
		if i > 0 {
			w.WriteString(", ")
		}
		w.d.value(w, v)
	}
	w.WriteByte(')')
}

func (w *sqlWriter) timeCond(c *cond) {
	if c.op != OpIn {
		w.d.timeCond(w, c.field, string(c.op), c.times[0])
		return
	}
	w.WriteByte('(')
	for i, t := range c.times {
		if i > 0 {
			w.WriteString(" OR ")
		}
		w.d.timeCond(w, c.field, "=", t)
	}
	w.WriteByte(')')
}

func (w *sqlWriter) ipCond(c *cond) {
	w.WriteByte('(')
	for i, p := range c.prefixes {
		if i > 0 {
			w.WriteString(" OR ")
		}
		lo, hi := ipRange(p)
		w.ipLow64Cond(c.field, lo, hi)
		if lo == hi {
			// Equality is cheaper than BETWEEN for one address.
			w.WriteString(w.d.column(c.field) + " = ")
			w.d.value(w, lo)
			continue
		}
		w.WriteString(w.d.column(c.field) + " BETWEEN ")
		w.d.value(w, lo)
		w.WriteString(" AND ")
		w.d.value(w, hi)
	}
	w.WriteByte(')')
}

// low64Dialect is a dialect whose tables keep, beside each address
// column, a UBIGINT column with the low 64 bits of the address.
type low64Dialect interface {
	low64Column(f *field) string
}

// ipLow64Cond writes a test of the low 64 bits of f's address, followed by
// AND, when the dialect has them and the range [lo, hi] shares its high 64
// bits. The test only narrows the rows: the condition on the address
// column that follows still decides. A backend scans a number column much
// faster than the BLOB of the address and reads that BLOB only for the
// rows that pass.
func (w *sqlWriter) ipLow64Cond(f *field, lo, hi [16]byte) {
	d, ok := w.d.(low64Dialect)
	if !ok || [8]byte(lo[:8]) != [8]byte(hi[:8]) {
		return
	}
	col := d.low64Column(f)
	loLow, hiLow := binary.BigEndian.Uint64(lo[8:]), binary.BigEndian.Uint64(hi[8:])
	if loLow == hiLow {
		w.WriteString(col + " = ")
		w.uint64Value(loLow)
	} else {
		w.WriteString(col + " BETWEEN ")
		w.uint64Value(loLow)
		w.WriteString(" AND ")
		w.uint64Value(hiLow)
	}
	w.WriteString(" AND ")
}

// uint64Value writes n as a UBIGINT literal. It is written into the text
// because database/sql refuses to bind a uint64 of 2^63 or more, which
// half of all IPv6 interface IDs are. The cast keeps DuckDB 1.5.6 from
// taking the number as HUGEINT and casting the column of every row, which
// doubled the CPU time of the host query over 1M flows.
// TODO: numCond binds its numbers as int64, so DuckDB casts the column of
// every number filter, such as server_port = 443.
func (w *sqlWriter) uint64Value(n uint64) {
	w.WriteString("CAST(" + strconv.FormatUint(n, 10) + " AS UBIGINT)")
}

// orderColumns returns the ORDER BY list of QueryFlows: by the requested
// field, then by first_seen and the flow key so that pages are stable.
func orderColumns(d dialect, q *Query) (string, error) {
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	var parts []string
	if q.OrderBy != "" && q.OrderBy != "first_seen" {
		expr, err := orderExpr(d, q.OrderBy)
		if err != nil {
			return "", err
		}
		parts = append(parts, expr+dir)
	}
	for _, k := range []string{"first_seen", "id", "client_ip", "client_port", "server_ip", "server_port", "l4", "vlan"} {
		parts = append(parts, d.column(fieldsByName[k])+dir)
	}
	return strings.Join(parts, ", "), nil
}

// orderExpr returns the SQL expression that orders flows by name: a
// stored field that is not a list, a sum such as bytes, or duration (the
// time from first_seen to last_seen).
func orderExpr(d dialect, name string) (string, error) {
	if name == "duration" {
		return "(" + d.column(fieldsByName["last_seen"]) + " - " + d.column(fieldsByName["first_seen"]) + ")", nil
	}
	f, ok := lookupField(name)
	switch {
	case !ok || f.kind == kindList:
		return "", errorf("cannot order by %q: give duration, bytes, packets or a stored field that is not a list, such as first_seen, app or c2s_bytes", name)
	case f.sum != nil:
		return "(" + strings.Join(f.sum, " + ") + ")", nil
	}
	return d.column(f), nil
}

func formatUint(n uint64) string { return strconv.FormatUint(n, 10) }

// scopeNode returns the validated condition of a scope.
func scopeNode(s Scope) (*node, error) {
	n, err := compile(s.Filter)
	if err != nil {
		return nil, err
	}
	first := fieldsByName["first_seen"]
	and := []*node{n}
	if !s.From.IsZero() {
		and = append(and, &node{cond: &cond{field: first, op: OpGe, times: []time.Time{s.From}}})
	}
	if !s.To.IsZero() {
		and = append(and, &node{cond: &cond{field: first, op: OpLt, times: []time.Time{s.To}}})
	}
	return &node{and: and}, nil
}

// whereClause returns the WHERE condition of a scope in dialect d with its
// bind arguments.
func whereClause(d dialect, s Scope) (string, []any, error) {
	n, err := scopeNode(s)
	if err != nil {
		return "", nil, err
	}
	w := &sqlWriter{d: d}
	w.where(n)
	return w.String(), w.args, nil
}
