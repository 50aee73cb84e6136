package dpi

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
)

// hostMatch is the application, and any category or breed, that a
// host-name pattern assigns.
type hostMatch struct {
	App string
	// Category and Breed are set when the pattern's hosts carry a category
	// or breed other than the application's (advertising hosts of Google,
	// connectivity checks), and empty otherwise.
	Category, Breed string
	// length is the pattern's length; the longest matching pattern wins.
	length int
	// mask is a risk mask, used only by the host_risk_mask rules.
	mask uint64
}

// hostTable maps host-name patterns to applications, following the four
// pattern forms of nDPI's host_match table (see data/hosts.txt).
type hostTable struct {
	suffix      map[string]hostMatch // "example.com": the name or a name under it
	dotted      map[string]hostMatch // "youtube" from "youtube.": a label run followed by any suffix
	labelPrefix map[string]hostMatch // "fbcdn-": a label that starts so
	tail        map[string]hostMatch // "-mtalk.google.com": a name that ends so
}

// maxHostLen is the longest DNS name (RFC 1035, section 2.3.4); longer
// names are looked up after a lowercase copy that allocates.
const maxHostLen = 253

var loadHosts = sync.OnceValue(func() *hostTable {
	f, err := dataFS.Open("data/hosts.txt")
	if err != nil {
		panic(fmt.Errorf("dpi: embedded host table: %w", err))
	}
	defer f.Close()
	t, err := parseHostTable(f)
	if err != nil {
		panic(err)
	}
	return t
})

// matchHost returns the application that a host name (SNI, HTTP Host, DNS
// query) belongs to, matching case-insensitively on label boundaries.
func matchHost(name string) (app string, ok bool) {
	m, ok := loadHosts().match(name)
	return m.App, ok
}

// matchHostDetail is matchHost with the pattern's category and breed.
func matchHostDetail(name string) (hostMatch, bool) {
	return loadHosts().match(name)
}

func newHostTable() *hostTable {
	return &hostTable{
		suffix:      map[string]hostMatch{},
		dotted:      map[string]hostMatch{},
		labelPrefix: map[string]hostMatch{},
		tail:        map[string]hostMatch{},
	}
}

func parseHostTable(r io.Reader) (*hostTable, error) {
	t := newHostTable()
	var cur *hostMatch
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
			continue
		case line[0] == '@':
			m, err := parseHostBlock(line[1:])
			if err != nil {
				return nil, fmt.Errorf("dpi: hosts.txt line %d: %w", n, err)
			}
			cur = &m
		case cur == nil:
			return nil, fmt.Errorf("dpi: hosts.txt line %d: pattern before any @App line", n)
		default:
			for _, p := range strings.Fields(line) {
				t.add(strings.ToLower(p), *cur)
			}
		}
	}
	return t, sc.Err()
}

func parseHostBlock(s string) (hostMatch, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return hostMatch{}, fmt.Errorf("missing application name after @")
	}
	m := hostMatch{App: f[0]}
	for _, kv := range f[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "category":
			m.Category = v
		case "breed":
			m.Breed = v
		default:
			return m, fmt.Errorf("unknown attribute %q (want category= or breed=)", kv)
		}
	}
	return m, nil
}

// add files a pattern under its form; a later duplicate replaces an
// earlier one, as in nDPI where the last definition of a pattern wins.
func (t *hostTable) add(p string, m hostMatch) {
	m.length = len(p)
	switch {
	case strings.HasPrefix(p, "-"):
		t.tail[p] = m
	case strings.HasSuffix(p, "."):
		t.dotted[strings.TrimSuffix(p, ".")] = m
	case strings.HasSuffix(p, "-"):
		t.labelPrefix[p] = m
	default:
		t.suffix[p] = m
	}
}
