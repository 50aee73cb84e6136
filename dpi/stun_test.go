package dpi

import (
	"os"
	"slices"
	"testing"
)

func TestSTUNCases(t *testing.T) {
	checkPayloadCases(t, STUN{}, "stun")
}

func TestParseSTUN(t *testing.T) {
	cookie := "\x21\x12\xa4\x42"
	txid := "0123456789ab"
	tests := []struct {
		name    string
		message string
		want    bool
	}{
		{"binding request", "\x00\x01\x00\x00" + cookie + txid, true},
		{"with attribute", "\x00\x01\x00\x08" + cookie + txid + "\x00\x19\x00\x04\x11\x00\x00\x00", true},
		{"padded attribute", "\x00\x01\x00\x08" + cookie + txid + "\x00\x06\x00\x01u\x00\x00\x00", true},
		{"length not multiple of 4", "\x00\x01\x00\x02" + cookie + txid + "ab", false},
		{"length beyond message", "\x00\x01\x00\x08" + cookie + txid, false},
		{"attribute overruns", "\x00\x01\x00\x04" + cookie + txid + "\x00\x06\x00\x08", false},
		{"top bits set", "\x80\x01\x00\x00" + cookie + txid, false},
		{"classic with attribute", "\x00\x01\x00\x08" + "abcd" + txid + "\x00\x03\x00\x04\x00\x00\x00\x00", true},
		{"classic empty", "\x00\x01\x00\x00" + "abcd" + txid, false},
		{"classic unknown type", "\x00\x03\x00\x08" + "abcd" + txid + "\x00\x03\x00\x04\x00\x00\x00\x00", false},
		{"truncated", "\x00\x01\x00\x00" + cookie, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, got := parseSTUN([]byte(tt.message)); got != tt.want {
				t.Errorf("parseSTUN ok = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSTUNRealmHost(t *testing.T) {
	c, err := readPayloadCase("testdata/stun/signal-realm")
	if err != nil {
		t.Fatal(err)
	}
	f := newEngineWith([]Dissector{STUN{}}).replayCorpusFlow(c.flow())
	if f.Host != "signal.org" || f.Info != "signal.org" {
		t.Errorf("host %q, info %q, want signal.org for both", f.Host, f.Info)
	}
}

// TestSTUNZoomDTLSHello checks that a datagram that only looks like DTLS
// does not end the search for the handshake: Zoom sends one with a
// scrambled handshake header before its Client Hello.
func TestSTUNZoomDTLSHello(t *testing.T) {
	c, err := readPayloadCase("testdata/stun/zoom-dtls")
	if err != nil {
		t.Fatal(err)
	}
	f := newEngineWith([]Dissector{STUN{}}).replayCorpusFlow(c.flow())
	if f.TLS == nil {
		t.Fatal("no TLS record: the Client Hello was not read")
	}
	if f.TLS.Version != "DTLSv1.2" {
		t.Errorf("version %q, want DTLSv1.2", f.TLS.Version)
	}
	if want := []string{"webrtc", "c-webrtc"}; !slices.Equal(f.TLS.ALPN, want) {
		t.Errorf("alpn %q, want %q", f.TLS.ALPN, want)
	}
	if f.Master != "DTLS" || f.App != "Zoom" {
		t.Errorf("app %s.%s, want DTLS.Zoom", f.Master, f.App)
	}
}

func FuzzSTUN(f *testing.F) {
	if _, err := os.Stat("testdata/stun"); err != nil {
		f.Fatal(err)
	}
	fuzzDissector(f, STUN{}, "stun")
}
