package dpi

import (
	"path/filepath"
	"testing"
)

// TestHTTPUnansweredRequest replays captures in which a second request
// follows the first before any response, through the engine so that
// packets without payload count too. A request inside the window takes
// the first one's place, and one sent later does not.
func TestHTTPUnansweredRequest(t *testing.T) {
	cases := []struct {
		pcap     string
		url      string
		requests int
	}{
		// The response to the first request was not captured, and the
		// second request is the flow's fourth packet.
		{"replaced.pcap", "/images/detail_revision/go_homepage.png", 3},
		// No response at all, and fifty packets, most of them empty ACKs,
		// pass before the second request.
		{"kept.pcap", "/data_plateforme/program/18496/tv_detail_mortdunpourw0012236_72f6c.jpg", 2},
	}
	e := NewEngine(DefaultConfig())
	for _, c := range cases {
		t.Run(c.pcap, func(t *testing.T) {
			flows, err := readReplayFlows(filepath.Join("testdata", "http", "window", c.pcap))
			if err != nil {
				t.Fatal(err)
			}
			if len(flows) != 1 {
				t.Fatalf("got %d flows, want 1", len(flows))
			}
			f := e.replayCorpusFlow(flows[0])
			if f.HTTP == nil {
				t.Fatal("no HTTP record")
			}
			if f.HTTP.URL != c.url {
				t.Errorf("url = %q, want %q", f.HTTP.URL, c.url)
			}
			if f.HTTP.Requests != c.requests {
				t.Errorf("requests = %d, want %d", f.HTTP.Requests, c.requests)
			}
		})
	}
}
