package store

import (
	"bufio"
	"os"
	"testing"
)

// FuzzParseFilter checks that the parser never panics and that what it
// accepts prints as text that parses to the same filter.
func FuzzParseFilter(f *testing.F) {
	seeds, err := os.Open("testdata/filters.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer seeds.Close()
	sc := bufio.NewScanner(seeds)
	for sc.Scan() {
		f.Add(sc.Text())
	}
	f.Fuzz(func(t *testing.T, text string) {
		first, err := ParseFilter(text)
		if err != nil {
			return
		}
		second, err := ParseFilter(first.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", text, first.String(), err)
		}
		if first.String() != second.String() {
			t.Fatalf("round trip of %q: %q then %q", text, first.String(), second.String())
		}
		if _, err := NewMatcher(first); err != nil {
			t.Fatalf("parsed %q but NewMatcher rejects it: %v", text, err)
		}
	})
}
