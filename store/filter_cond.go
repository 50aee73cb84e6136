package store

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// compileCond validates one condition and rewrites it into a node whose
// conditions use only positive operators.
func compileCond(name string, op Op, values []string) (*node, error) {
	if err := checkArity(op, values); err != nil {
		return nil, err
	}
	negate := op == OpNe || op == OpNotIn
	if op == OpEq || op == OpNe || op == OpNotIn {
		op = OpIn
	}

	var n *node
	if pair, ok := virtualFields[name]; ok {
		a, err := newCond(fieldsByName[pair[0]], op, values)
		if err != nil {
			return nil, fmt.Errorf("store: filter field %q: %w", name, err)
		}
		b, _ := newCond(fieldsByName[pair[1]], op, values)
		n = &node{or: []*node{{cond: a}, {cond: b}}}
	} else {
		f, ok := lookupField(name)
		if !ok {
			return nil, fmt.Errorf("store: unknown filter field %q; fields are the flow record's dotted names, such as app, client_ip, tls.sni", name)
		}
		c, err := newCond(f, op, values)
		if err != nil {
			return nil, fmt.Errorf("store: filter field %q: %w", name, err)
		}
		n = &node{cond: c}
	}
	if negate {
		return &node{not: n}, nil
	}
	return n, nil
}

func checkArity(op Op, values []string) error {
	switch op {
	case OpIn, OpNotIn:
		if len(values) == 0 {
			return fmt.Errorf("store: operator %q needs at least one value", op)
		}
	case OpEq, OpNe, OpLt, OpGt, OpLe, OpGe, OpContains, OpStartsWith:
		if len(values) != 1 {
			return fmt.Errorf("store: operator %q needs exactly one value", op)
		}
	default:
		return fmt.Errorf("store: unknown filter operator %q", op)
	}
	return nil
}

// opAllowed reports whether a field of kind k accepts the positive op.
func opAllowed(k kind, op Op) bool {
	switch op {
	case OpIn:
		return true
	case OpLt, OpGt, OpLe, OpGe:
		return k == kindString || k == kindUint || k == kindTime
	case OpContains, OpStartsWith:
		return k == kindString || k == kindList
	}
	return false
}

func newCond(f *field, op Op, values []string) (*cond, error) {
	if !opAllowed(f.kind, op) {
		return nil, fmt.Errorf("operator %q does not apply to %s fields", op, f.kind)
	}
	c := &cond{field: f, op: op}
	for _, v := range values {
		if err := c.addValue(v); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *cond) addValue(v string) error {
	switch c.field.kind {
	case kindUint:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("value %q is not a non-negative integer", v)
		}
		// The embedded store's driver binds numbers as signed 64-bit
		// integers, so a field of 64 bits takes values up to 2^63-1.
		limit := uint64(math.MaxInt64)
		if c.field.bits > 0 && c.field.bits < 64 {
			limit = 1<<c.field.bits - 1
		}
		if n > limit {
			return fmt.Errorf("value %d is out of range for %s: 0 to %d", n, c.field.name, limit)
		}
		c.nums = append(c.nums, n)
	case kindTime:
		t, err := parseFilterTime(v)
		if err != nil {
			return err
		}
		c.times = append(c.times, t)
	case kindIP:
		p, err := parsePrefix(v)
		if err != nil {
			return err
		}
		c.prefixes = append(c.prefixes, p)
	default:
		c.strs = append(c.strs, v)
	}
	return nil
}

var filterTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// parseFilterTime reads RFC 3339 or a date with an optional time; a time
// without a zone is UTC.
func parseFilterTime(v string) (time.Time, error) {
	for _, layout := range filterTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("value %q is not a time; use RFC 3339 (2024-05-01T12:00:00Z) or a date (2024-05-01)", v)
}

// parsePrefix reads an address (a prefix of full length) or a CIDR prefix.
func parsePrefix(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("value %q is not a CIDR prefix such as 10.0.0.0/8", v)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("value %q is not an IP address", v)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ipRange returns the first and last address of p as 16-byte IPv6 forms,
// IPv4 mapped into ::ffff:0:0/96, the way address columns store them.
func ipRange(p netip.Prefix) (lo, hi [16]byte) {
	addr, bits := p.Addr(), p.Bits()
	if addr.Is4() {
		addr, bits = netip.AddrFrom16(addr.As16()), bits+96
	}
	lo = addr.As16()
	hi = lo
	for i := bits; i < 128; i++ {
		hi[i/8] |= 0x80 >> (i % 8)
	}
	return lo, hi
}

// ipBytes returns the stored 16-byte form of an address, all zero when the
// text is not an address.
func ipBytes(s string) [16]byte {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return [16]byte{}
	}
	return a.As16()
}
