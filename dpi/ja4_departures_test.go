package dpi

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
)

// nDPI's results for its own test captures (ndpiReader of nDPI commit
// 3b1286ab03b0) depart from the specifications the product follows in
// ways that are known and explained here. The golden file lists every
// corpus flow where the product's JA4 or TLS version differs from nDPI's,
// with the Client Hello the product parsed, so the explanation is checked
// against the bytes without the corpus. With -corpus DIR the list is
// rebuilt from the captures and compared with the golden file, and
// -update rewrites it.

const departuresGolden = "testdata/tls/departures.jsonl"

// tlsDeparture is one corpus flow where the product and nDPI disagree on
// field ("ja4" or "version").
type tlsDeparture struct {
	Field   string `json:"field"`
	Flow    string `json:"flow"`
	Kind    string `json:"kind"` // JA4 transport letter: t, q or d
	NDPI    string `json:"ndpi"`
	Product string `json:"product"`
	// NDPIServerHello reports whether nDPI read the flow's Server Hello
	// (its result has a cipher or a JA3S).
	NDPIServerHello bool `json:"ndpi_server_hello"`
	// NDPIJA3S and ProductJA3S are the JA3S fingerprints of the Server
	// Hello each read. JA3S starts with the Server Hello's version, so
	// equal fingerprints show that both read the same version.
	NDPIJA3S    string `json:"ndpi_ja3s,omitempty"`
	ProductJA3S string `json:"product_ja3s,omitempty"`
	// Hello is the Client Hello body, after its handshake header.
	Hello []byte `json:"hello"`
}

// ndpiJA4 computes JA4 the way nDPI's snapshot does. It departs from
// FoxIO's specification in four places:
//   - the SNI letter is 'i' only when the server_name is an IP literal, and
//     'd' otherwise, also when the hello has no server_name at all;
//   - the ALPN characters are the first two of the first value, and over
//     QUIC a two-character value keeps its first character followed by '0'
//     ("h3" gives "h0");
//   - DTLS takes the legacy version field and ignores supported_versions,
//     and it writes the pre-standard DTLS version 0x0100 as "s3";
//   - an empty cipher or extension list is hashed (SHA-256 of "") instead
//     of written as twelve zeros.
func ndpiJA4(ch *clientHello, kind byte) string {
	version := ja4Version(ch.highestVersion())
	if kind == 'd' {
		version = ja4Version(ch.version)
		if ch.version == 0x0100 {
			version = "s3"
		}
	}
	sni := byte('d')
	if _, err := netip.ParseAddr(ch.sni); err == nil {
		sni = 'i'
	}
	product := ja4(ch, kind)
	parts := strings.Split(product, "_")
	counts := parts[0][4:8]
	head := string(kind) + version + string(sni) + counts + ndpiJA4ALPN(ch.alpn, kind)
	return head + "_" + ndpiEmptyHash(parts[1]) + "_" + ndpiEmptyHash(strings.Join(parts[2:], "_"))
}

func ndpiJA4ALPN(alpn []string, kind byte) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	first := alpn[0]
	if kind == 'q' && len(first) <= 2 {
		return first[:1] + "0"
	}
	if len(first) == 1 {
		return first + "0"
	}
	return first[:2]
}

func ndpiEmptyHash(part string) string {
	if part != "000000000000" {
		return part
	}
	sum := sha256.Sum256(nil)
	return hex.EncodeToString(sum[:])[:12]
}

// TestJA4DeparturesFromNDPI checks that every listed JA4 difference is one
// of nDPI's known departures from FoxIO's specification.
func TestJA4DeparturesFromNDPI(t *testing.T) {
	n := 0
	for _, d := range readDepartures(t) {
		if d.Field != "ja4" {
			continue
		}
		n++
		var ch clientHello
		if !ch.unmarshal(d.Hello, d.Kind == "d") {
			t.Errorf("%s: the Client Hello does not parse", d.Flow)
			continue
		}
		if got := ja4(&ch, d.Kind[0]); got != d.Product {
			t.Errorf("%s: ja4 = %s, the golden file says the product gave %s", d.Flow, got, d.Product)
		}
		if got := ndpiJA4(&ch, d.Kind[0]); got != d.NDPI {
			t.Errorf("%s: nDPI's JA4 %s is none of the known departures (they give %s)", d.Flow, d.NDPI, got)
		}
	}
	if n == 0 {
		t.Fatalf("%s lists no JA4 departure", departuresGolden)
	}
}

// TestTLSVersionDeparturesFromNDPI checks that every listed difference of
// the negotiated TLS version is nDPI reporting the client's legacy version.
// nDPI does so where the server chose TLS 1.0, in a Server Hello both read
// (their JA3S fingerprints agree), and where it did not read the Server
// Hello because it stopped after a Client Hello spread over many packets.
func TestTLSVersionDeparturesFromNDPI(t *testing.T) {
	n := 0
	for _, d := range readDepartures(t) {
		if d.Field != "version" {
			continue
		}
		n++
		var ch clientHello
		if !ch.unmarshal(d.Hello, d.Kind == "d") {
			t.Errorf("%s: the Client Hello does not parse", d.Flow)
			continue
		}
		if d.NDPIServerHello && d.Product != "TLSv1" {
			t.Errorf("%s: the product negotiated %s, but only a server's TLS 1.0 is a known departure", d.Flow, d.Product)
		}
		if d.NDPIServerHello && !strings.EqualFold(d.NDPIJA3S, d.ProductJA3S) {
			t.Errorf("%s: nDPI's JA3S %s is not the product's %s, so they read different Server Hellos", d.Flow, d.NDPIJA3S, d.ProductJA3S)
		}
		if want := tlsVersionName(ch.version); d.NDPI != want {
			t.Errorf("%s: nDPI's version %s is not the client's legacy version %s", d.Flow, d.NDPI, want)
		}
	}
	if n == 0 {
		t.Fatalf("%s lists no version departure", departuresGolden)
	}
}

func readDepartures(t *testing.T) []tlsDeparture {
	return readJSONLines[tlsDeparture](t, departuresGolden)
}

// readJSONLines decodes a golden file of one JSON object per line.
func readJSONLines[T any](t *testing.T, path string) []T {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	return out
}

// TestTLSDeparturesCorpus rebuilds the departure list from nDPI's corpus
// and compares it with the golden file, so that a flow whose difference is
// not listed, and therefore not explained, fails the test. It runs only
// with -corpus DIR; -update rewrites the golden file.
func TestTLSDeparturesCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("rebuilding the departure list needs -corpus DIR")
	}
	truth := map[string]tlsTruth{}
	for _, tf := range readTLSTruth(t, filepath.Join(*corpusDir, "truth.jsonl")) {
		if tf.TLS != nil && (tf.L4 == "TCP" || tf.L4 == "UDP") {
			c := netip.AddrPortFrom(netip.MustParseAddr(tf.ClientIP), tf.ClientPort)
			s := netip.AddrPortFrom(netip.MustParseAddr(tf.ServerIP), tf.ServerPort)
			truth[flowKeyString(tf.PCAP, tf.L4, c, s)] = tf
		}
	}
	pcaps, err := filepath.Glob(filepath.Join(*corpusDir, "pcap", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var got []tlsDeparture
	for _, path := range pcaps {
		flows, err := pcapflows.Read(path)
		if err != nil {
			// NOTE: the test's capture reader rejects two captures of the
			// corpus (pcap minor versions 0 and 1); neither holds a TLS flow.
			t.Logf("read %s: %v", path, err)
			continue
		}
		for _, cf := range flows {
			key := flowKeyString(filepath.Base(path), cf.L4, cf.Client, cf.Server)
			if tf, ok := truth[key]; ok {
				got = append(got, flowDepartures(key, tf, cf)...)
			}
		}
	}
	slices.SortFunc(got, func(a, b tlsDeparture) int { return strings.Compare(a.Field+a.Flow, b.Field+b.Flow) })
	checkJSONLinesGolden(t, departuresGolden, got)
}

// flowDepartures replays one corpus flow through the engine's dissectors
// and returns its JA4 and version differences from nDPI. A field the
// product did not fill is a gap, not a departure, and is left out.
func flowDepartures(key string, tf tlsTruth, cf *pcapflows.Flow) []tlsDeparture {
	f := replay(cf, registry)
	if f.TLS == nil {
		return nil
	}
	kind, hello := helloOf(f, cf)
	var out []tlsDeparture
	add := func(field, want, got string) {
		if want != "" && got != "" && want != got && hello != nil {
			sawServer := tf.TLS.Cipher != "" || tf.TLS.JA3S != ""
			out = append(out, tlsDeparture{field, key, string(kind), want, got, sawServer, tf.TLS.JA3S, f.TLS.JA3S, hello})
		}
	}
	add("ja4", tf.TLS.JA4, f.TLS.JA4)
	add("version", tf.TLS.Version, f.TLS.Version)
	return out
}

// helloOf returns the JA4 transport letter of a replayed flow and the body
// of its Client Hello, or nil when it has none.
func helloOf(f *Flow, cf *pcapflows.Flow) (byte, []byte) {
	if st, ok := f.scratchValue(quicScratchKey).(*quicState); ok {
		body, _ := st.crypto.clientHello()
		return 'q', body
	}
	if f.Protocol == ipProtocolTCP {
		// The test's reader takes the sender of the first packet as the
		// client, which is the server when a capture starts at the SYN-ACK.
		if body := findClientHello(f.Stream(ClientToServer)); body != nil {
			return 't', body
		}
		return 't', findClientHello(f.Stream(ServerToClient))
	}
	for _, p := range cf.Packets {
		if body := dtlsClientHello(p.Payload); p.Dir == 0 && body != nil {
			return 'd', body
		}
	}
	return 'd', nil
}

// findClientHello returns the first Client Hello of a client's stream,
// which STARTTLS and RDP put after some plain-text exchange.
func findClientHello(stream []byte) []byte {
	for i := range stream {
		if stream[i] != contentHandshake {
			continue
		}
		if body := tcpClientHello(stream[i:]); body != nil {
			return body
		}
	}
	return nil
}

// tcpClientHello joins the handshake records at the start of a client's
// stream (RFC 8446 section 5.1) and returns the first message's body when
// it is a Client Hello.
func tcpClientHello(stream []byte) []byte {
	var hs []byte
	for len(stream) >= 5 && stream[0] == contentHandshake {
		n := int(stream[3])<<8 | int(stream[4])
		if len(stream) < 5+n {
			break
		}
		hs, stream = append(hs, stream[5:5+n]...), stream[5+n:]
	}
	if len(hs) < 4 || hs[0] != handshakeClientHello {
		return nil
	}
	n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
	if len(hs) < 4+n {
		return nil
	}
	return hs[4 : 4+n]
}

// dtlsClientHello returns the body of an unfragmented Client Hello in the
// first record of a datagram (RFC 6347 sections 4.1 and 4.2.2).
func dtlsClientHello(dgram []byte) []byte {
	const recordHeader, handshakeHeader = 13, 12
	if len(dgram) < recordHeader+handshakeHeader || dgram[0] != contentHandshake {
		return nil
	}
	hs := dgram[recordHeader:]
	if hs[0] != handshakeClientHello {
		return nil
	}
	n := int(hs[9])<<16 | int(hs[10])<<8 | int(hs[11])
	if len(hs) < handshakeHeader+n {
		return nil
	}
	return hs[handshakeHeader : handshakeHeader+n]
}
