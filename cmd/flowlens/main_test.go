package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"bogus"}, 2},
		{[]string{"help"}, 0},
		{[]string{"help", "query"}, 0},
		{[]string{"help", "bogus"}, 2},
		{[]string{"version"}, 0},
		{[]string{"analyze", "-h"}, 0},
		{[]string{"serve", "-h"}, 0},
		{[]string{"query", "-h"}, 0},
		{[]string{"analyze", "--bogus"}, 2},
	}
	for _, tt := range tests {
		if got := run(tt.args); got != tt.want {
			t.Errorf("flowlens %q exits %d, want %d", tt.args, got, tt.want)
		}
	}
}

// TestUsageShowsDefaultsAfterParse checks that the usage printed after a
// bad flag lists each flag's default, not the value given before it.
func TestUsageShowsDefaultsAfterParse(t *testing.T) {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	fs.Int("dpi-packets", 32, "packets inspected per flow")
	fs.String("format", "jsonl", "output format")
	fs.String("cpuprofile", "", "profile file")
	if err := fs.Parse([]string{"--dpi-packets", "5", "--format", "table"}); err != nil {
		t.Fatal(err)
	}
	printVisibleDefaults(fs, "cpuprofile")
	usage := buf.String()
	for _, want := range []string{"(default 32)", `(default "jsonl")`} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %s:\n%s", want, usage)
		}
	}
	if strings.Contains(usage, "cpuprofile") {
		t.Errorf("usage lists the hidden flag cpuprofile:\n%s", usage)
	}
}
