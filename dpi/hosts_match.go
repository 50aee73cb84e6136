package dpi

import "strings"

// match looks name up in every pattern form and keeps the longest match.
// It does not allocate for names of up to maxHostLen bytes: the lowercase
// copy lives on the stack and map lookups with string(b[i:j]) keys do not
// copy.
func (t *hostTable) match(name string) (hostMatch, bool) {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return hostMatch{}, false
	}
	if len(name) > maxHostLen {
		return t.matchLower([]byte(strings.ToLower(name)))
	}
	var buf [maxHostLen]byte
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return t.matchLower(b)
}

func (t *hostTable) matchLower(b []byte) (hostMatch, bool) {
	var best hostMatch
	found := false
	keep := func(m hostMatch, ok bool) {
		if ok && m.length > best.length {
			best, found = m, true
		}
	}

	// Suffix patterns: the first hit from the left is the longest.
	for i := 0; i < len(b); i++ {
		if i == 0 || b[i-1] == '.' {
			if m, ok := t.suffix[string(b[i:])]; ok {
				keep(m, ok)
				break
			}
		}
	}

	for i := 0; i < len(b); i++ {
		if i != 0 && b[i-1] != '.' {
			continue
		}
		t.matchAtLabel(b, i, keep)
	}

	for k := 0; k < len(b); k++ {
		if b[k] == '-' {
			m, ok := t.tail[string(b[k:])]
			keep(m, ok)
		}
	}
	return best, found
}

// matchAtLabel tries the dotted and label-prefix patterns that start at
// the label beginning at offset i.
func (t *hostTable) matchAtLabel(b []byte, i int, keep func(hostMatch, bool)) {
	inFirstLabel := true
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '.':
			m, ok := t.dotted[string(b[i:j])]
			keep(m, ok)
			inFirstLabel = false
		case '-':
			if inFirstLabel {
				m, ok := t.labelPrefix[string(b[i:j+1])]
				keep(m, ok)
			}
		}
	}
}
