package dpi

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// prefixTable is a longest-prefix-match table. It keeps, per address
// family and per prefix length present, the masked network addresses in
// sorted order; a lookup masks the address to each length, longest first,
// and binary-searches that level. With the few dozen lengths in use that
// is a handful of searches and no allocation.
type prefixTable[V any] struct {
	v4, v6 []prefixLevel[V] // longest prefix length first
}

type prefixLevel[V any] struct {
	bits  int
	addrs []netip.Addr // masked network addresses, sorted
	vals  []V          // vals[i] belongs to addrs[i]
}

type prefixEntry[V any] struct {
	prefix netip.Prefix
	val    V
}

var loadPrefixes = sync.OnceValue(func() *prefixTable[string] {
	f, err := dataFS.Open("data/ip_prefixes.txt")
	if err != nil {
		panic(fmt.Errorf("dpi: embedded IP prefixes: %w", err))
	}
	defer f.Close()
	entries, err := parsePrefixFile(f)
	if err != nil {
		panic(err)
	}
	return newPrefixTable(entries)
})

// matchIP returns the service whose published address ranges hold addr,
// for flows that show no host name. The longest matching prefix wins.
func matchIP(addr netip.Addr) (app string, ok bool) {
	return loadPrefixes().lookup(addr)
}

func parsePrefixFile(r io.Reader) ([]prefixEntry[string], error) {
	var out []prefixEntry[string]
	app := ""
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '@':
			app = strings.TrimSpace(line[1:])
		case app == "":
			return nil, fmt.Errorf("dpi: ip_prefixes.txt line %d: prefix before any @App line", n)
		default:
			for _, f := range strings.Fields(line) {
				p, err := netip.ParsePrefix(f)
				if err != nil {
					return nil, fmt.Errorf("dpi: ip_prefixes.txt line %d: %w", n, err)
				}
				out = append(out, prefixEntry[string]{p.Masked(), app})
			}
		}
	}
	return out, sc.Err()
}

// newPrefixTable builds the table; of two entries for the same prefix the
// later one wins.
func newPrefixTable[V any](entries []prefixEntry[V]) *prefixTable[V] {
	type key struct {
		v6   bool
		bits int
	}
	byLevel := map[key]map[netip.Addr]V{}
	for _, e := range entries {
		k := key{e.prefix.Addr().Is6(), e.prefix.Bits()}
		if byLevel[k] == nil {
			byLevel[k] = map[netip.Addr]V{}
		}
		byLevel[k][e.prefix.Addr()] = e.val
	}
	t := &prefixTable[V]{}
	for k, m := range byLevel {
		lvl := prefixLevel[V]{bits: k.bits}
		for a := range m {
			lvl.addrs = append(lvl.addrs, a)
		}
		slices.SortFunc(lvl.addrs, netip.Addr.Compare)
		for _, a := range lvl.addrs {
			lvl.vals = append(lvl.vals, m[a])
		}
		if k.v6 {
			t.v6 = append(t.v6, lvl)
		} else {
			t.v4 = append(t.v4, lvl)
		}
	}
	longestFirst := func(a, b prefixLevel[V]) int { return b.bits - a.bits }
	slices.SortFunc(t.v4, longestFirst)
	slices.SortFunc(t.v6, longestFirst)
	return t
}

func (t *prefixTable[V]) lookup(addr netip.Addr) (V, bool) {
	var zero V
	addr = addr.Unmap()
	levels := t.v4
	if addr.Is6() {
		levels = t.v6
	} else if !addr.Is4() {
		return zero, false
	}
	for i := range levels {
		lvl := &levels[i]
		p, err := addr.Prefix(lvl.bits)
		if err != nil {
			continue
		}
		if j, ok := slices.BinarySearchFunc(lvl.addrs, p.Addr(), netip.Addr.Compare); ok {
			return lvl.vals[j], true
		}
	}
	return zero, false
}
