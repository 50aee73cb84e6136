package dpi

import "testing"

func TestSLPCases(t *testing.T) {
	checkPayloadCases(t, SLP{}, "slp")
}

func TestSLPHeaders(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		exact   bool
		want    bool
	}{
		{"v2 request", []byte("\x02\x01\x00\x00\x10\x00\x00\x00\x00\x00\x12\x34\x00\x02en"), true, true},
		{"v2 short length", []byte("\x02\x01\x00\x00\x0f\x00\x00\x00\x00\x00\x12\x34\x00\x02en"), true, false},
		{"v2 length over segment", []byte("\x02\x01\x00\x00\x40\x00\x00\x00\x00\x00\x12\x34\x00\x02en"), false, true},
		{"v2 reserved flags", []byte("\x02\x01\x00\x00\x10\x00\x01\x00\x00\x00\x12\x34\x00\x02en"), true, false},
		{"v2 function 12", []byte("\x02\x0c\x00\x00\x10\x00\x00\x00\x00\x00\x12\x34\x00\x02en"), true, false},
		{"v2 empty tag", []byte("\x02\x01\x00\x00\x0e\x00\x00\x00\x00\x00\x12\x34\x00\x00"), true, false},
		{"v2 tag not text", []byte("\x02\x01\x00\x00\x10\x00\x00\x00\x00\x00\x12\x34\x00\x02\x00\x01"), true, false},
		{"v2 truncated", []byte("\x02\x01\x00\x00\x10"), true, false},
		{"v1 request", []byte("\x01\x09\x00\x0c\x00\x00en\x00\x03\x12\x34"), true, true},
		{"v1 dialect", []byte("\x01\x09\x00\x0c\x00\x01en\x00\x03\x12\x34"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			switch tt.payload[0] {
			case 1:
				got = slpV1Header(tt.payload, tt.exact)
			case 2:
				got = slpV2Header(tt.payload, tt.exact)
			}
			if got != tt.want {
				t.Errorf("header check = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzSLP(f *testing.F) {
	fuzzDissector(f, SLP{}, "slp")
}
