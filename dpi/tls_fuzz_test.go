package dpi

import (
	"path/filepath"
	"testing"

	"github.com/flowlens/flowlens/record"
)

// handshakeMessages returns the plaintext handshake messages (header
// included) at the start of a TLS stream.
func handshakeMessages(stream []byte) [][]byte {
	var hs []byte
	for len(stream) >= tlsRecordHeaderLen {
		n := int(stream[3])<<8 | int(stream[4])
		if stream[0] != contentHandshake || len(stream) < tlsRecordHeaderLen+n {
			break
		}
		hs = append(hs, stream[tlsRecordHeaderLen:tlsRecordHeaderLen+n]...)
		stream = stream[tlsRecordHeaderLen+n:]
	}
	var msgs [][]byte
	for len(hs) >= 4 {
		n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
		if len(hs) < 4+n {
			break
		}
		msgs = append(msgs, hs[:4+n])
		hs = hs[4+n:]
	}
	return msgs
}

// seedMessages adds the bodies of the testdata messages of type typ.
func seedMessages(f *testing.F, typ uint8) {
	streams, _ := filepath.Glob("testdata/tls/*.bin")
	for _, path := range streams {
		for _, msg := range handshakeMessages(readTestdata(f, path)) {
			if msg[0] == typ {
				f.Add(msg[4:])
			}
		}
	}
}

func FuzzTLSClientHello(f *testing.F) {
	seedMessages(f, handshakeClientHello)
	bodies, _ := filepath.Glob("testdata/tls/hello/*.bin")
	for _, path := range bodies {
		f.Add(readTestdata(f, path))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, kind := range []byte{'t', 'q', 'd'} {
			var tls record.TLS
			if parseClientHello(body, &tls, kind) && (tls.JA3 == "" || tls.JA4 == "") {
				t.Errorf("kind %c: parsed hello without fingerprints", kind)
			}
		}
	})
}

func FuzzTLSServerHello(f *testing.F) {
	seedMessages(f, handshakeServerHello)
	f.Fuzz(func(t *testing.T, body []byte) {
		var tls record.TLS
		if parseServerHello(body, &tls, 't') && (tls.Version == "" || tls.Cipher == "" || tls.JA3S == "") {
			t.Errorf("parsed hello without version, cipher or ja3s: %+v", tls)
		}
	})
}

// FuzzTLSCertificate runs the Certificate message parser and the DER
// walk under it, and checks the walk against crypto/x509 on every input
// that x509 accepts.
func FuzzTLSCertificate(f *testing.F) {
	seedMessages(f, handshakeCertificate)
	f.Fuzz(func(t *testing.T, body []byte) {
		parseLeafCertificate(body)
		var c record.Cert
		parseCertificateDER(body, &c)
		checkAgainstX509(t, body)
		r := tlsReader(body)
		var n int
		var der tlsReader
		if r.u24(&n) && r.vec24(&der) {
			parseCertificateDER(der, &c)
			checkAgainstX509(t, der)
		}
	})
}

func FuzzDTLS(f *testing.F) {
	dgrams, _ := filepath.Glob("testdata/tls/*.dgrams.bin")
	midSession, _ := filepath.Glob("testdata/dtls/*.dgrams.bin")
	for _, path := range append(dgrams, midSession...) {
		f.Add(readTestdata(f, path))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fl := &Flow{Protocol: 17}
		replayDatagrams(fl, b)
	})
}

// FuzzTLSStream cuts arbitrary bytes into a client and a server stream.
func FuzzTLSStream(f *testing.F) {
	for _, c2s := range mustValue(filepath.Glob("testdata/tls/*.c2s.bin")) {
		f.Add(readTestdata(f, c2s), uint16(1000))
	}
	f.Fuzz(func(t *testing.T, b []byte, split uint16) {
		cut := min(int(split), len(b))
		fl := &Flow{Protocol: 6}
		replayStreams(fl, [2][]byte{b[:cut], b[cut:]}, 97)
	})
}

func mustValue[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func BenchmarkTLSHandshake(b *testing.B) {
	streams := [2][]byte{readTestdata(b, "testdata/tls/443-curl.c2s.bin"), readTestdata(b, "testdata/tls/443-curl.s2c.bin")}
	b.ReportAllocs()
	for b.Loop() {
		fl := &Flow{Protocol: 6}
		replayStreams(fl, streams, 1460)
	}
}

func BenchmarkNotTLS(b *testing.B) {
	payload := []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		fl := &Flow{Protocol: 6}
		fl.inspect().streams[0].buf = payload
		fl.Packets[0] = 1
		if (TLSDissector{}).Inspect(fl, &Packet{Payload: payload}) != NotMine {
			b.Fatal("HTTP taken for TLS")
		}
	}
}
