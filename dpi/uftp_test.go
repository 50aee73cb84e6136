package dpi

import (
	"strings"
	"testing"
)

func TestUFTPCases(t *testing.T) {
	checkProtocolCases(t, UFTP{})
}

func TestUFTPHeader(t *testing.T) {
	header := func(version, fn byte) string {
		return string([]byte{version, fn}) + "\x00\x01\x0a\x00\x00\x01\x96\xf4\xc3\x04\x00\x9d\x00\x00"
	}
	body := func(fn, words byte) string {
		return string([]byte{fn, words}) + strings.Repeat("\x00", 22)
	}
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"v4 announce", header(0x40, 1) + body(1, 6), Done},
		{"v5 reg conf", header(0x50, 4) + body(4, 1), Done},
		{"body of another function", header(0x40, 1) + body(2, 6), NotMine},
		{"body longer than datagram", header(0x50, 1) + body(1, 7), NotMine},
		{"unknown version", header(0x30, 1) + body(1, 6), NotMine},
		{"function out of range", header(0x50, 30) + body(30, 1), NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP}
			if got := (UFTP{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzUFTP(f *testing.F) {
	fuzzDissector(f, UFTP{}, "uftp")
}
