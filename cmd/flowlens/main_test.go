package main

import "testing"

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
