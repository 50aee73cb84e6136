package dpi

import (
	"testing"

	"github.com/flowlens/flowlens/record"
)

// TestClientHelloDamagedKeepsVersion cuts a real Client Hello inside its
// cipher suites: the hello no longer parses, but its legacy version still
// names the flow's TLS version, as nDPI reports it.
func TestClientHelloDamagedKeepsVersion(t *testing.T) {
	msgs := handshakeMessages(readTestdata(t, "testdata/tls/443-curl.c2s.bin"))
	if len(msgs) == 0 || msgs[0][0] != handshakeClientHello {
		t.Fatal("443-curl.c2s.bin does not start with a Client Hello")
	}
	body := msgs[0][4:]
	const cut = 2 + 32 + 1 + 2 + 4 // version, random, empty session ID, suites length, two suites
	if len(body) <= cut || body[34] != 0 {
		t.Fatalf("Client Hello of %d bytes has a session ID or is too short for the cut", len(body))
	}

	var tls record.TLS
	if parseClientHello(body[:cut], &tls, 't') {
		t.Fatal("damaged Client Hello parsed")
	}
	if tls.Version != "TLSv1.2" {
		t.Errorf("version %q, want TLSv1.2 from the legacy version field", tls.Version)
	}
	if tls.JA3 != "" || tls.SNI != "" {
		t.Errorf("damaged hello filled fields other than version: %+v", tls)
	}

	tls = record.TLS{Version: "TLSv1.3"}
	parseClientHello(body[:cut], &tls, 't')
	if tls.Version != "TLSv1.3" {
		t.Errorf("damaged hello replaced version %q", tls.Version)
	}
}
