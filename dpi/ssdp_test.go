package dpi

import "testing"

func TestSSDPCases(t *testing.T) {
	checkPayloadCases(t, SSDP{}, "ssdp")
}

func TestSSDPHeaderValue(t *testing.T) {
	msg := []byte("M-SEARCH * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\nST:ssdp:all\r\nMX: 2\r\n\r\nBody: no\r\n")
	tests := []struct {
		name, header, want string
		found              bool
	}{
		{"case folded", "host", "239.255.255.250:1900", true},
		{"no blank", "st", "ssdp:all", true},
		{"after head", "body", "", false},
		{"missing", "usn", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ssdpHeaderValue(msg, tt.header)
			if string(got) != tt.want || (got != nil) != tt.found {
				t.Errorf("ssdpHeaderValue(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func TestSSDPInfo(t *testing.T) {
	c, err := readPayloadCase("testdata/ssdp/m-search")
	if err != nil {
		t.Fatal(err)
	}
	f := newEngineWith([]Dissector{SSDP{}}).replayCorpusFlow(c.flow())
	if f.Info != c.info {
		t.Errorf("info %q, want %q", f.Info, c.info)
	}
}

func FuzzSSDP(f *testing.F) {
	fuzzDissector(f, SSDP{}, "ssdp")
}
