package main

import (
	"errors"
	"testing"
)

func TestServeFlagsRejectBadValues(t *testing.T) {
	tests := [][]string{
		{"--refresh", "0"},
		{"--refresh", "-1s"},
		{"--speed", "NaN"},
		{"--speed", "-1"},
		{"--speed", "+Inf"},
		{"--store-retention-days", "-1"},
		{"--inspect-idle", "-1s"},
	}
	for _, flags := range tests {
		args := append([]string{"-r", "../../testdata/iphone.pcap"}, flags...)
		if _, err := parseServeFlags(args); !errors.Is(err, errUsage) {
			t.Errorf("serve %q: error %v, want a usage error", flags, err)
		}
	}
	if _, err := parseServeFlags([]string{"-r", "../../testdata/iphone.pcap", "--refresh", "1s", "--speed", "0"}); err != nil {
		t.Errorf("serve with --refresh 1s --speed 0: %v, want no error", err)
	}
}
