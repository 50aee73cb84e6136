package dpi

import "testing"

func TestSoftetherCases(t *testing.T) {
	checkProtocolCases(t, Softether{})
}

func TestSoftetherReply(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  bool
	}{
		{"ipv4", "IP=90.186.132.133,PORT=51381", true},
		{"ipv6", "IP=2001:db8::1,PORT=443", true},
		{"no port", "IP=90.186.132.133", false},
		{"port not a number", "IP=90.186.132.133,PORT=x", false},
		{"address with letters", "IP=example.com,PORT=80", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := softetherReply([]byte(tt.reply)); got != tt.want {
				t.Errorf("softetherReply = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSoftetherPack(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"opcode element", "\x00\x00\x00\x03\x00\x00\x00\x07opcode\x00\x00\x00\x02\x00\x00\x00\x01", true},
		{"no elements", "\x00\x00\x00\x00\x00\x00\x00\x07opcode\x00\x00\x00\x02\x00\x00\x00\x01", false},
		{"unknown type", "\x00\x00\x00\x03\x00\x00\x00\x07opcode\x00\x00\x00\x09\x00\x00\x00\x01", false},
		{"binary name", "\x00\x00\x00\x03\x00\x00\x00\x07op\x01ode\x00\x00\x00\x02\x00\x00\x00\x01", false},
		{"truncated", "\x00\x00\x00\x03\x00\x00\x00\x07opc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := softetherPack([]byte(tt.payload)); got != tt.want {
				t.Errorf("softetherPack = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzSoftether(f *testing.F) {
	fuzzDissector(f, Softether{}, "softether")
}
