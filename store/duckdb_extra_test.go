package store

import (
	"encoding/json"
	"testing"
)

// checkJSONString checks that appendJSONString writes s as encoding/json
// reads back what it would write itself.
func checkJSONString(t *testing.T, s string) {
	t.Helper()
	var got, want string
	if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
		t.Fatalf("appendJSONString(%q) = %s: %v", s, appendJSONString(nil, s), err)
	}
	ref, _ := json.Marshal(s)
	if err := json.Unmarshal(ref, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("appendJSONString(%q) read back as %q, want %q", s, got, want)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range append(hostileValues, "\xff", "a\xc3", "\xed\xa0\x80", "tab\there") {
		checkJSONString(t, s)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range hostileValues {
		f.Add(s)
	}
	f.Fuzz(checkJSONString)
}
