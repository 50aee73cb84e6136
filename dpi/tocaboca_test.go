package dpi

import (
	"strings"
	"testing"
)

func TestTocaBocaCases(t *testing.T) {
	checkPayloadCases(t, TocaBoca{}, "tocaboca")
}

func TestTocaBocaPacket(t *testing.T) {
	connect := "\xff\xff\x00\x01\x00\x00\x00\x04\x22\xb6\xe6\xba" + "\x02\xff\x01\x04\x00\x00\x00\x2c\x00\x00\x00\x01"
	command := "\x41\x82\x00\x03\x00\x00\x10\xa1\x70\x59\x6d\x2a" + "\x01\x00\x00\x00\x00\x00\x00\x14" + strings.Repeat("\x00", 12)
	tests := []struct {
		name   string
		packet string
		first  bool
		want   bool
	}{
		{"connect", connect, true, true},
		{"connect later in the flow", connect, false, false},
		{"connect with another command", connect[:13] + "\x00" + connect[14:], true, false},
		{"command", command, false, true},
		{"command of kind 4", command[:3] + "\x04" + command[4:], false, false},
		{"command of another size", command[:19] + "\x15" + command[20:], false, false},
		{"filler", strings.Repeat("\x7d", 13), false, true},
		{"short filler", strings.Repeat("\x7d", 12), false, false},
		{"truncated command", command[:31], false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tocaBocaPacket([]byte(tt.packet), tt.first); got != tt.want {
				t.Errorf("tocaBocaPacket = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzTocaBoca(f *testing.F) {
	fuzzDissector(f, TocaBoca{}, "tocaboca")
}
