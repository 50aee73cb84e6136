package store

import (
	"bytes"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// Matcher tests flow records against a filter in memory, with the same
// meaning as the backends' queries; the live view and tests use it.
type Matcher struct {
	root *node
}

// NewMatcher validates f and returns its Matcher.
func NewMatcher(f *Filter) (*Matcher, error) {
	n, err := compile(f)
	if err != nil {
		return nil, err
	}
	return &Matcher{root: n}, nil
}

// Match reports whether fl passes the filter.
func (m *Matcher) Match(fl *record.Flow) bool {
	return m.root.match(fl)
}

func (n *node) match(fl *record.Flow) bool {
	switch {
	case n.all:
		return true
	case n.and != nil:
		for _, k := range n.and {
			if !k.match(fl) {
				return false
			}
		}
		return true
	case n.or != nil:
		for _, k := range n.or {
			if k.match(fl) {
				return true
			}
		}
		return false
	case n.not != nil:
		return !n.not.match(fl)
	}
	return n.cond.match(fl)
}

func (c *cond) match(fl *record.Flow) bool {
	switch c.field.kind {
	case kindUint:
		return matchOrdered(c.op, c.field.num(fl), c.nums)
	case kindTime:
		return matchTime(c.op, c.field.tm(fl), c.times)
	case kindIP:
		return c.matchIP(fl)
	case kindList:
		for _, e := range c.field.list(fl) {
			if c.matchString(e) {
				return true
			}
		}
		return false
	}
	return c.matchString(c.field.str(fl))
}

func (c *cond) matchString(s string) bool {
	switch c.op {
	case OpContains:
		return strings.Contains(s, c.strs[0])
	case OpStartsWith:
		return strings.HasPrefix(s, c.strs[0])
	}
	return matchOrdered(c.op, s, c.strs)
}

func (c *cond) matchIP(fl *record.Flow) bool {
	a := c.field.ip(fl)
	if !a.IsValid() {
		return false
	}
	b := a.As16()
	for _, p := range c.prefixes {
		lo, hi := ipRange(p)
		if bytes.Compare(b[:], lo[:]) >= 0 && bytes.Compare(b[:], hi[:]) <= 0 {
			return true
		}
	}
	return false
}

func matchOrdered[T string | uint64 | int64](op Op, v T, operands []T) bool {
	switch op {
	case OpLt:
		return v < operands[0]
	case OpGt:
		return v > operands[0]
	case OpLe:
		return v <= operands[0]
	case OpGe:
		return v >= operands[0]
	}
	for _, o := range operands {
		if v == o {
			return true
		}
	}
	return false
}

// matchTime compares at microsecond precision, the precision stored.
func matchTime(op Op, v time.Time, operands []time.Time) bool {
	us := make([]int64, len(operands))
	for i, t := range operands {
		us[i] = timeMicros(t)
	}
	return matchOrdered(op, timeMicros(v), us)
}

// timeMicros returns microseconds since the Unix epoch, 0 for the zero
// time, which is how an absent time is stored.
func timeMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}
