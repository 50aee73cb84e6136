package dpi

import "testing"

func TestSOMEIPCases(t *testing.T) {
	checkProtocolCases(t, SOMEIP{})
}

func TestSOMEIPMessages(t *testing.T) {
	const request = "\x12\x34\x00\x08\x00\x00\x00\x0c\x00\x00\x00\x01\x01\x01\x00\x00abcd"
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"request", request, true},
		{"two messages", request + request, true},
		{"response with error", "\x12\x34\x00\x08\x00\x00\x00\x08\x00\x00\x00\x01\x01\x01\x81\x01", true},
		{"tp segment", "\x12\x34\x00\x08\x00\x00\x00\x0c\x00\x00\x00\x01\x01\x01\x20\x00abcd", true},
		{"length too long", "\x12\x34\x00\x08\x00\x00\x00\x0d\x00\x00\x00\x01\x01\x01\x00\x00abcd", false},
		{"length below header", "\x12\x34\x00\x08\x00\x00\x00\x04\x00\x00\x00\x01\x01\x01\x00\x00abcd", false},
		{"trailing bytes", request + "xy", false},
		{"protocol version 2", "\x12\x34\x00\x08\x00\x00\x00\x0c\x00\x00\x00\x01\x02\x01\x00\x00abcd", false},
		{"unknown message type", "\x12\x34\x00\x08\x00\x00\x00\x0c\x00\x00\x00\x01\x01\x01\x05\x00abcd", false},
		{"return code out of range", "\x12\x34\x00\x08\x00\x00\x00\x0c\x00\x00\x00\x01\x01\x01\x00\x7fabcd", false},
		{"short", "\x12\x34\x00\x08", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := someIPMessages([]byte(tt.payload)); got != tt.want {
				t.Errorf("someIPMessages = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzSOMEIP(f *testing.F) {
	fuzzDissector(f, SOMEIP{}, "someip")
}
