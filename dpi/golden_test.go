package dpi

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update makes the golden tests rewrite their expected files under
// testdata instead of comparing with them.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden compares got, as indented JSON, with the golden file at
// path, or rewrites the file with -update.
func checkGolden(t *testing.T, path string, got any) {
	t.Helper()
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(data)); diff != "" {
		t.Errorf("result differs from %s (-want +got):\n%s", path, diff)
	}
}

// checkJSONLinesGolden compares items, one JSON object a line, with the
// golden file at path, or rewrites the file with -update.
func checkJSONLinesGolden[T any](t *testing.T, path string, items []T) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, item := range items {
		if err := enc.Encode(item); err != nil {
			t.Fatal(err)
		}
	}
	if *update {
		writeFile(t, path, buf.Bytes())
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Errorf("result differs from %s; rerun with -update and review the diff", path)
	}
}
