package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/record"
)

// TestAnalyzeHTTPStartingWithReply reads a capture that starts with the
// response to a request it missed: the record keeps the request that
// follows and that request's own response, not the first one.
func TestAnalyzeHTTPStartingWithReply(t *testing.T) {
	out := captureStdout(t, func() error {
		return runAnalyze([]string{"-r", "../../capture/testdata/http_starting_with_reply.pcapng"}, discardLogger())
	})
	var fl record.Flow
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &fl); err != nil {
		t.Fatalf("want one flow record, got %q: %v", out, err)
	}
	if fl.HTTP == nil {
		t.Fatalf("record has no HTTP block: %s", out)
	}
	want := record.HTTP{
		Method: "GET", Host: "proxy.wiresharkfest.acropolis.local", URL: "/icons/ubuntu-logo.png",
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:91.0) Gecko/20100101 Firefox/91.0",
		Status:    200, ContentType: "image/png", Server: "Apache/2.4.41 (Ubuntu)", Requests: 2,
	}
	if *fl.HTTP != want {
		t.Errorf("HTTP block = %+v\nwant %+v", *fl.HTTP, want)
	}
}
