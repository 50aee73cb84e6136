package dpi

import (
	"strings"
	"testing"
)

func TestRakNetCases(t *testing.T) {
	checkPayloadCases(t, RakNet{}, "raknet")
}

func TestRakNetOffline(t *testing.T) {
	magic := string(raknetOfflineMagic)
	tests := []struct {
		name    string
		message string
		want    bool
	}{
		{"open connection request", "\x05" + magic + "\x0b", true},
		{"unconnected ping", "\x01\x00\x00\x00\x00\x00\x00\x00\x01" + magic, true},
		{"magic elsewhere", "\x05\x00" + magic, false},
		{"truncated magic", "\x05" + magic[:10], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := raknetOffline([]byte(tt.message)); got != tt.want {
				t.Errorf("raknetOffline = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRakNetPrefixedOffline(t *testing.T) {
	magic := string(raknetOfflineMagic)
	pad := func(s string, n int) []byte { return []byte(s + strings.Repeat("\x00", n-len(s))) }
	tests := []struct {
		name     string
		datagram []byte
		want     bool
	}{
		{"magic after 31-byte header", pad(strings.Repeat("\x01", 32)+magic, raknetPrefixedMinLen), true},
		{"magic after id", pad("\x05"+magic, raknetPrefixedMinLen), true},
		{"magic at offset 20", pad(strings.Repeat("\x01", 20)+magic, raknetPrefixedMinLen), false},
		{"short datagram", pad(strings.Repeat("\x01", 32)+magic, raknetPrefixedMinLen-1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := raknetPrefixedOffline(tt.datagram); got != tt.want {
				t.Errorf("raknetPrefixedOffline = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRakNetConnectedDatagrams(t *testing.T) {
	tests := []struct {
		name     string
		datagram string
		want     bool
	}{
		{"frame set", "\x84\x02\x00\x00\x00\x00\x18abc", true},
		{"reliable ordered frame", "\x84\x02\x00\x00\x60\x00\x08\x00\x00\x00\x00\x00\x00\x00x", true},
		{"frame longer than datagram", "\x84\x02\x00\x00\x00\x00\x20abc", false},
		{"ack range", "\xc0\x00\x01\x00\x01\x00\x00\x02\x00\x00", true},
		{"ack single", "\xc0\x00\x01\x01\x01\x00\x00", true},
		{"ack count too high", "\xc0\x00\x02\x01\x01\x00\x00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.datagram)
			if got := raknetFrameSet(b) || raknetAcknowledgement(b); got != tt.want {
				t.Errorf("connected datagram check = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzRakNet(f *testing.F) {
	fuzzDissector(f, RakNet{}, "raknet")
}
