package dpi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/record"
)

// ndpiDepartures lists fields where nDPI's result differs from the
// specification for a testdata flow, so the truth comparison skips them.
// nDPI's JA4 takes the first two characters of the ALPN value where
// FoxIO's specification takes the first and the last, and sets the SNI
// flag to 'd' when the hello has no SNI at all.
var ndpiDepartures = map[string]bool{"ja4": true}

// TestTLSGolden replays each testdata TCP flow in small, interleaved
// chunks, so that records span segments, and compares the record with its
// golden file and with nDPI's result.
func TestTLSGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/tls/*.c2s.bin")
	if len(files) == 0 {
		t.Fatal("no testdata/tls/*.c2s.bin")
	}
	for _, c2sPath := range files {
		base := strings.TrimSuffix(c2sPath, ".c2s.bin")
		t.Run(filepath.Base(base), func(t *testing.T) {
			streams := [2][]byte{readTestdata(t, c2sPath), readTestdata(t, base+".s2c.bin")}
			f := &Flow{Protocol: 6}
			verdict := replayStreams(f, streams, 300)
			if verdict != Done {
				t.Errorf("verdict = %d, want Done", verdict)
			}
			if f.Master != "TLS" || f.TLS == nil {
				t.Fatalf("flow not claimed as TLS: master %q", f.Master)
			}
			if f.TLS.SNI != "" && (f.Host != f.TLS.SNI || f.Info != f.TLS.SNI) {
				t.Errorf("host %q, info %q, want the SNI %q", f.Host, f.Info, f.TLS.SNI)
			}
			checkGolden(t, base+".golden", f.TLS)
			checkTLSTruth(t, base+".truth.json", f.TLS)
		})
	}
}

// replayStreams offers the two streams to the TLS dissector chunk bytes at
// a time, alternating directions, until it stops.
func replayStreams(f *Flow, streams [2][]byte, chunk int) Verdict {
	verdict := NeedMore
	for off := 0; verdict == NeedMore || verdict == Claimed; off += chunk {
		if off >= len(streams[0]) && off >= len(streams[1]) {
			break
		}
		for d := range 2 {
			end := min(off+chunk, len(streams[d]))
			if off >= end || verdict == Done || verdict == NotMine {
				continue
			}
			f.inspect().streams[d].buf = append(f.inspect().streams[d].buf, streams[d][off:end]...)
			f.Packets[d]++
			verdict = TLSDissector{}.Inspect(f, &Packet{Dir: Direction(d), Payload: streams[d][off:end]})
		}
	}
	return verdict
}

// TestDTLSGolden replays each testdata DTLS flow datagram by datagram.
func TestDTLSGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/tls/*.dgrams.bin")
	if len(files) == 0 {
		t.Fatal("no testdata/tls/*.dgrams.bin")
	}
	for _, path := range files {
		base := strings.TrimSuffix(path, ".dgrams.bin")
		t.Run(filepath.Base(base), func(t *testing.T) {
			f := &Flow{Protocol: 17}
			verdict := replayDatagrams(f, readTestdata(t, path))
			if verdict != Done {
				t.Errorf("verdict = %d, want Done", verdict)
			}
			if f.Master != "DTLS" || f.TLS == nil {
				t.Fatalf("flow not claimed as DTLS: master %q", f.Master)
			}
			checkGolden(t, base+".golden", f.TLS)
			checkTLSTruth(t, base+".truth.json", f.TLS)
		})
	}
}

// replayDatagrams feeds framed datagrams (direction, 16-bit length,
// payload) to the DTLS dissector until it stops.
func replayDatagrams(f *Flow, b []byte) Verdict {
	verdict := NeedMore
	for len(b) >= 3 && (verdict == NeedMore || verdict == Claimed) {
		d, n := Direction(b[0]&1), int(b[1])<<8|int(b[2])
		if len(b) < 3+n {
			break
		}
		f.Packets[d]++
		verdict = DTLSDissector{}.Inspect(f, &Packet{Dir: d, Payload: b[3 : 3+n]})
		b = b[3+n:]
	}
	return verdict
}

func readTestdata(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkTruth compares got with nDPI's result for the flow, field by field.
func checkTLSTruth(t *testing.T, path string, got *record.TLS) {
	t.Helper()
	var tf tlsTruth
	if err := json.Unmarshal(readTestdata(t, path), &tf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if tf.TLS == nil {
		t.Fatalf("%s has no tls object", path)
	}
	for _, fld := range tlsFields {
		if ndpiDepartures[fld.name] {
			continue
		}
		if want, have := fld.get(tf.TLS), fld.get(got); want != "" && want != have {
			t.Errorf("%s = %q, nDPI has %q", fld.name, have, want)
		}
	}
}

// TestClientHelloDamaged offers Client Hellos whose vectors do not add up,
// from nDPI's captures of broken clients, to the TLS dissector. The record
// keeps what can be read before the damage.
func TestClientHelloDamaged(t *testing.T) {
	tests := []struct {
		file      string
		parses    bool // parseClientHello accepts the body
		version   string
		sni, ja3  string
		extension int // extensions read before the damaged one
	}{
		// An extension after ALPN claims 0x4fc6 bytes of a 174-byte hello.
		{"invalid_reads.bin", true, "TLSv1.2", "e.crashlytics.com", "9d5430e6dfce44459702b74d790df353", 5},
		// The cipher suites claim 132 bytes, which leaves no room for the
		// compression methods and extensions the header counts.
		{"cipher_lens.bin", true, "TLSv1", "", "8eae3e18d36ce24c4ac6b9eeb84ac762", 0},
		// The cipher suites claim an odd 133 bytes, so only the legacy
		// version can be read.
		{"cipher_lens_odd.bin", false, "TLSv1", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := readTestdata(t, filepath.Join("testdata/tls/hello", tt.file))
			var ch clientHello
			if got := ch.unmarshal(body, false); got != tt.parses {
				t.Errorf("unmarshal = %v, want %v", got, tt.parses)
			}
			if len(ch.extensions) != tt.extension {
				t.Errorf("%d extensions read, want %d", len(ch.extensions), tt.extension)
			}

			f := &Flow{Protocol: ipProtocolTCP}
			record := append([]byte{contentHandshake, 3, 1, byte((len(body) + 4) >> 8), byte(len(body) + 4)},
				handshakeClientHello, 0, byte(len(body)>>8), byte(len(body)))
			record = append(record, body...)
			f.inspect().streams[ClientToServer].buf = record
			f.Packets[ClientToServer]++
			TLSDissector{}.Inspect(f, &Packet{Dir: ClientToServer, Payload: record})
			if f.Master != "TLS" || f.TLS == nil {
				t.Fatalf("flow not claimed as TLS: master %q", f.Master)
			}
			if f.TLS.Version != tt.version {
				t.Errorf("version = %q, want %q", f.TLS.Version, tt.version)
			}
			if f.TLS.SNI != tt.sni {
				t.Errorf("sni = %q, want %q", f.TLS.SNI, tt.sni)
			}
			if f.TLS.JA3 != tt.ja3 {
				t.Errorf("ja3 = %q, want %q", f.TLS.JA3, tt.ja3)
			}
		})
	}
}
