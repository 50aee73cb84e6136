package store

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"
)

// Op is a comparison operator of a filter.
type Op string

// The operators of a filter condition. Ordered comparisons apply to
// strings, numbers and times; In and NotIn take a list of values; Contains
// and StartsWith apply to strings and to any element of a list field. An
// address field compares with addresses or CIDR prefixes: "=" and In match
// an address inside any of the given prefixes.
const (
	OpEq         Op = "="
	OpNe         Op = "!="
	OpLt         Op = "<"
	OpGt         Op = ">"
	OpLe         Op = "<="
	OpGe         Op = ">="
	OpIn         Op = "in"
	OpNotIn      Op = "not in"
	OpContains   Op = "contains"
	OpStartsWith Op = "starts with"
)

// Filter is one node of a filter tree: exactly one of All, And, Or, Not or
// a condition (Field, Op and Value or Values) is set. The zero Filter, like
// a nil *Filter, matches every flow. Its JSON form is the API's filter:
//
//	{"and": [{"field": "app", "op": "=", "value": "TLS.YouTube"},
//	         {"not": {"field": "client_ip", "op": "in", "values": ["10.0.0.0/8"]}}]}
//
// Field is a dotted flow record name (tls.sni), a computed sum (bytes,
// packets), a name standing for either end of the flow (ip, host, port), or
// client_country or server_country, which the store fills when it writes a
// flow, from Config.Locate.
type Filter struct {
	All    bool      `json:"all,omitempty"`
	And    []*Filter `json:"and,omitempty"`
	Or     []*Filter `json:"or,omitempty"`
	Not    *Filter   `json:"not,omitempty"`
	Field  string    `json:"field,omitempty"`
	Op     Op        `json:"op,omitempty"`
	Value  *Value    `json:"value,omitempty"`
	Values []Value   `json:"values,omitempty"`
}

// Value is a filter operand. JSON numbers are accepted and kept as their
// decimal text; the field's type decides how the text is read.
type Value string

// UnmarshalJSON reads a JSON string or number.
func (v *Value) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = Value(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("store: filter value %s is neither a string nor a number", b)
	}
	*v = Value(n)
	return nil
}

// Cond returns a condition node comparing field with one value, or with
// several for In and NotIn.
func Cond(field string, op Op, values ...string) *Filter {
	f := &Filter{Field: field, Op: op}
	if op == OpIn || op == OpNotIn {
		for _, v := range values {
			f.Values = append(f.Values, Value(v))
		}
		return f
	}
	if len(values) > 0 {
		v := Value(values[0])
		f.Value = &v
	}
	return f
}

// And returns a node matching flows that all of fs match.
func And(fs ...*Filter) *Filter { return &Filter{And: fs} }

// Or returns a node matching flows that any of fs matches.
func Or(fs ...*Filter) *Filter { return &Filter{Or: fs} }

// Not returns a node matching flows that f does not match.
func Not(f *Filter) *Filter { return &Filter{Not: f} }

// String returns the filter in the text syntax that ParseFilter reads.
func (f *Filter) String() string {
	var b strings.Builder
	f.write(&b)
	return b.String()
}

func (f *Filter) write(b *strings.Builder) {
	switch {
	case f == nil || f.isAll():
		b.WriteString("true")
	case f.And != nil || f.Or != nil:
		f.writeList(b)
	case f.Not != nil:
		b.WriteString("not ")
		f.Not.writeOperand(b)
	default:
		f.writeCond(b)
	}
}

func (f *Filter) isAll() bool {
	return f.All || (f.And == nil && f.Or == nil && f.Not == nil && f.Field == "")
}

func (f *Filter) writeList(b *strings.Builder) {
	list, sep := f.And, " and "
	if f.Or != nil {
		list, sep = f.Or, " or "
	}
	if len(list) == 0 {
		// An empty AND matches everything and an empty OR nothing.
		if f.Or != nil {
			b.WriteString("not true")
			return
		}
		b.WriteString("true")
		return
	}
	for i, c := range list {
		if i > 0 {
			b.WriteString(sep)
		}
		c.writeOperand(b)
	}
}

// writeOperand writes f in parentheses unless it is a single condition.
func (f *Filter) writeOperand(b *strings.Builder) {
	if f != nil && (f.And != nil || f.Or != nil) {
		b.WriteByte('(')
		f.write(b)
		b.WriteByte(')')
		return
	}
	f.write(b)
}

func (f *Filter) writeCond(b *strings.Builder) {
	b.WriteString(f.Field)
	b.WriteByte(' ')
	b.WriteString(string(f.Op))
	b.WriteByte(' ')
	if f.Op == OpIn || f.Op == OpNotIn {
		b.WriteByte('(')
		for i, v := range f.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteFilterValue(string(v)))
		}
		b.WriteByte(')')
		return
	}
	if f.Value != nil {
		b.WriteString(quoteFilterValue(string(*f.Value)))
	}
}

// quoteFilterValue writes a value as a double-quoted string of the text
// syntax. Valid UTF-8 stays as it is; quotes and backslashes are escaped,
// and control characters and bytes of invalid UTF-8 become \xHH.
func quoteFilterValue(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case (r == utf8.RuneError && size == 1) || r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// node is a validated filter: conditions carry parsed values and != and
// "not in" are rewritten as the negation of = and in, so backends only
// translate in, ordered comparisons, contains and starts with.
type node struct {
	all  bool
	and  []*node
	or   []*node
	not  *node
	cond *cond
}

// cond is one validated condition on one stored or computed field.
type cond struct {
	field    *field
	op       Op // OpIn, OpLt, OpGt, OpLe, OpGe, OpContains or OpStartsWith
	strs     []string
	nums     []uint64
	times    []time.Time
	prefixes []netip.Prefix
}

// compile validates f and returns its node. A filter built in code or read
// from JSON meets the bounds that ParseFilter sets on text.
func compile(f *Filter) (*node, error) {
	conditions := 0
	if err := checkBounds(f, 0, &conditions); err != nil {
		return nil, err
	}
	return compileNode(f)
}

// checkBounds fails when f nests deeper than maxTreeDepth or, with the
// conditions counted before it, has more than maxFilterConditions.
func checkBounds(f *Filter, depth int, conditions *int) error {
	switch {
	case f == nil:
		return nil
	case depth > maxTreeDepth:
		return fmt.Errorf("store: filter nests more than %d deep", maxTreeDepth)
	case f.Field != "":
		if *conditions++; *conditions > maxFilterConditions {
			return fmt.Errorf("store: filter has more than %d conditions", maxFilterConditions)
		}
	}
	for _, kid := range append(append([]*Filter{f.Not}, f.And...), f.Or...) {
		if err := checkBounds(kid, depth+1, conditions); err != nil {
			return err
		}
	}
	return nil
}

func compileNode(f *Filter) (*node, error) {
	if f == nil || f.isAll() {
		return &node{all: true}, nil
	}
	if n := countSet(f); n != 1 {
		return nil, fmt.Errorf("store: filter node sets %d of all, and, or, not, field; want exactly one", n)
	}
	switch {
	case f.And != nil:
		kids, err := compileList(f.And)
		return &node{and: kids}, err
	case f.Or != nil:
		kids, err := compileList(f.Or)
		return &node{or: kids}, err
	case f.Not != nil:
		kid, err := compileNode(f.Not)
		return &node{not: kid}, err
	}
	return compileCond(f.Field, f.Op, f.operands())
}

func countSet(f *Filter) int {
	n := 0
	for _, set := range []bool{f.All, f.And != nil, f.Or != nil, f.Not != nil, f.Field != ""} {
		if set {
			n++
		}
	}
	return n
}

func compileList(fs []*Filter) ([]*node, error) {
	out := make([]*node, 0, len(fs))
	for _, c := range fs {
		n, err := compileNode(c)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func (f *Filter) operands() []string {
	if f.Op == OpIn || f.Op == OpNotIn {
		out := make([]string, len(f.Values))
		for i, v := range f.Values {
			out[i] = string(v)
		}
		return out
	}
	if f.Value == nil {
		return nil
	}
	return []string{string(*f.Value)}
}
