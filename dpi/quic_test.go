package dpi

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flowlens/flowlens/record"
	"github.com/google/go-cmp/cmp"
)

func init() {
	// Another test file of the package may define the flag first.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const quicTestdata = "testdata/quic"

// quicCase is one line of testdata/quic/truth.jsonl: what nDPI reported
// for the flow the case's datagrams come from.
type quicCase struct {
	Case           string   `json:"case"`
	App            string   `json:"app"`
	SNI            string   `json:"sni"`
	ALPN           []string `json:"alpn"`
	ClientVersions []string `json:"client_versions"`
	Version        string   `json:"version"`
	QUICVersion    string   `json:"quic_version"`
	UserAgent      string   `json:"user_agent"`
}

// quicResult is what the golden files hold for one case.
type quicResult struct {
	Verdicts     []string    `json:"verdicts"`
	Master       string      `json:"master"`
	App          string      `json:"app,omitempty"`
	Host         string      `json:"host,omitempty"`
	Info         string      `json:"info,omitempty"`
	TLS          *record.TLS `json:"tls,omitempty"`
	CryptoLength int         `json:"crypto_length"`
}

func loadQUICCases(t testing.TB) []quicCase {
	t.Helper()
	f, err := os.Open(filepath.Join(quicTestdata, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []quicCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c quicCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("truth.jsonl: %v", err)
		}
		cases = append(cases, c)
	}
	return cases
}

// loadDatagrams reads NAME.1.bin, NAME.2.bin, ... in order.
func loadDatagrams(t testing.TB, name string) [][]byte {
	t.Helper()
	var out [][]byte
	for i := 1; ; i++ {
		b, err := os.ReadFile(filepath.Join(quicTestdata, fmt.Sprintf("%s.%d.bin", name, i)))
		if os.IsNotExist(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Fatalf("no datagrams for case %q", name)
	}
	return out
}

var verdictNames = map[Verdict]string{NeedMore: "NeedMore", NotMine: "NotMine", Claimed: "Claimed", Done: "Done"}

// runQUIC offers client datagrams to the dissector the way the engine
// does: it counts each packet, then stops at NotMine or Done.
func runQUIC(datagrams [][]byte) (*Flow, []string) {
	f := &Flow{Protocol: 17}
	var verdicts []string
	for _, d := range datagrams {
		f.Packets[ClientToServer]++
		v := QUIC{}.Inspect(f, &Packet{Dir: ClientToServer, Payload: d})
		verdicts = append(verdicts, verdictNames[v])
		if v == NotMine || v == Done {
			break
		}
	}
	return f, verdicts
}

func quicResultOf(f *Flow, verdicts []string) quicResult {
	r := quicResult{Verdicts: verdicts, Master: f.Master, App: f.App, Host: f.Host, Info: f.Info, TLS: f.TLS}
	if st, ok := f.scratchValue(quicScratchKey).(*quicState); ok {
		r.CryptoLength = len(st.crypto.contiguous())
	}
	return r
}

func TestQUICCorpusGolden(t *testing.T) {
	for _, c := range loadQUICCases(t) {
		t.Run(c.Case, func(t *testing.T) {
			f, verdicts := runQUIC(loadDatagrams(t, c.Case))
			got, err := json.MarshalIndent(quicResultOf(f, verdicts), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join(quicTestdata, c.Case+".golden.json")
			if updateGolden() {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("result differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestQUICMatchesNDPI compares what the dissector reads with what nDPI
// reported for the same flows.
func TestQUICMatchesNDPI(t *testing.T) {
	for _, c := range loadQUICCases(t) {
		t.Run(c.Case, func(t *testing.T) {
			f, verdicts := runQUIC(loadDatagrams(t, c.Case))
			if f.Master != "QUIC" {
				t.Fatalf("master = %q, want QUIC (verdicts %v)", f.Master, verdicts)
			}
			if last := verdicts[len(verdicts)-1]; last != "Done" {
				t.Errorf("last verdict = %s, want Done", last)
			}
			if f.TLS == nil {
				t.Fatal("no TLS record")
			}
			if f.TLS.QUICVersion != c.QUICVersion {
				t.Errorf("QUIC version = %q, want %q", f.TLS.QUICVersion, c.QUICVersion)
			}
			if f.TLS.SNI != c.SNI {
				t.Errorf("SNI = %q, want %q", f.TLS.SNI, c.SNI)
			}
			if f.Host != c.SNI || f.Info != c.SNI {
				t.Errorf("host, info = %q, %q, want the SNI %q", f.Host, f.Info, c.SNI)
			}
			if !slices.Equal(f.TLS.ALPN, c.ALPN) {
				t.Errorf("ALPN = %q, want %q", f.TLS.ALPN, c.ALPN)
			}
			if !slices.Equal(f.TLS.ClientVersions, c.ClientVersions) {
				t.Errorf("client versions = %q, want %q", f.TLS.ClientVersions, c.ClientVersions)
			}
			if f.TLS.Version != c.Version {
				t.Errorf("TLS version = %q, want %q", f.TLS.Version, c.Version)
			}
			if c.UserAgent != "" && f.TLS.UserAgent != c.UserAgent {
				t.Errorf("user agent = %q, want %q", f.TLS.UserAgent, c.UserAgent)
			}
			if c.App == "QUIC.DoH_DoT" && len(c.ALPN) > 0 && f.App != "DoH_DoT" {
				t.Errorf("app = %q, want DoH_DoT", f.App)
			}
		})
	}
}

func TestQUICClientHelloSpansTwoPackets(t *testing.T) {
	datagrams := loadDatagrams(t, "two_packets")
	f, verdicts := runQUIC(datagrams)
	if want := []string{"Claimed", "Done"}; !slices.Equal(verdicts, want) {
		t.Errorf("verdicts = %v, want %v", verdicts, want)
	}
	if len(f.TLS.ALPN) != 18 {
		t.Errorf("ALPN has %d names, want the 18 of the Client Hello", len(f.TLS.ALPN))
	}

	// The second datagram first: the Client Hello completes only when the
	// first one fills the gap at offset 0.
	f, verdicts = runQUIC([][]byte{datagrams[1], datagrams[0]})
	if want := []string{"Claimed", "Done"}; !slices.Equal(verdicts, want) {
		t.Errorf("reversed verdicts = %v, want %v", verdicts, want)
	}
	if len(f.TLS.ALPN) != 18 {
		t.Errorf("reversed: ALPN has %d names, want 18", len(f.TLS.ALPN))
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestQUICInitialKeys checks key derivation against the worked examples
// of RFC 9001 appendix A.1 and RFC 9369 appendix A.1.
func TestQUICInitialKeys(t *testing.T) {
	tests := []struct {
		name        string
		version     uint32
		key, iv, hp string
	}{
		{"v1", quicV1, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{"v2", quicV2, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	dcid := mustHex(t, "8394c8f03e515708")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, iv, hp, ok := quicInitialKeyMaterial(tt.version, dcid)
			if !ok {
				t.Fatal("derivation failed")
			}
			if got := hex.EncodeToString(key); got != tt.key {
				t.Errorf("key = %s, want %s", got, tt.key)
			}
			if got := hex.EncodeToString(iv); got != tt.iv {
				t.Errorf("iv = %s, want %s", got, tt.iv)
			}
			if got := hex.EncodeToString(hp); got != tt.hp {
				t.Errorf("hp = %s, want %s", got, tt.hp)
			}
		})
	}
}

// TestQUICOpenRFC9001 decrypts the protected client Initial packet of
// RFC 9001 appendix A.2 (packet number 2, 4-byte packet number).
func TestQUICOpenRFC9001(t *testing.T) {
	pkt, err := os.ReadFile(filepath.Join(quicTestdata, "rfc9001_a2_client_initial.bin"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(quicTestdata, "rfc9001_a2_frames.bin"))
	if err != nil {
		t.Fatal(err)
	}
	h, ok := parseQUICLongHeader(pkt)
	if !ok {
		t.Fatal("header not parsed")
	}
	if h.version != quicV1 || h.typ != quicTypeInitial || hex.EncodeToString(h.dcid) != "8394c8f03e515708" {
		t.Errorf("header = version %x type %d dcid %x", h.version, h.typ, h.dcid)
	}
	if h.pnOffset != 18 || h.end != len(pkt) {
		t.Errorf("pnOffset, end = %d, %d, want 18, %d", h.pnOffset, h.end, len(pkt))
	}

	var o quicOpener
	plain, ok := o.open(pkt, &h)
	if !ok {
		t.Fatal("open failed")
	}
	if !bytes.Equal(plain, want) {
		t.Errorf("plaintext differs from the appendix's frames")
	}
	if !bytes.Equal(pkt[:4], mustHex(t, "c0000000")) {
		t.Errorf("open modified its input")
	}

	tampered := slices.Clone(pkt)
	tampered[100] ^= 1
	if _, ok := o.open(tampered, &h); ok {
		t.Errorf("open accepted a packet with a modified byte")
	}
}

func TestQUICDissectRFC9001(t *testing.T) {
	pkt, err := os.ReadFile(filepath.Join(quicTestdata, "rfc9001_a2_client_initial.bin"))
	if err != nil {
		t.Fatal(err)
	}
	f, verdicts := runQUIC([][]byte{pkt})
	if !slices.Equal(verdicts, []string{"Done"}) {
		t.Errorf("verdicts = %v, want [Done]", verdicts)
	}
	want := &record.TLS{
		Version:        "TLSv1.3",
		ClientVersions: []string{"TLSv1.3"},
		SNI:            "example.com",
		ALPN:           []string{"alpn"},
		JA3:            "41bc9ae914d6cb3bd0bd0a5453ab7d7f",
		JA4:            "q13d0211an_62ed6f6ca7ad_4d634acda6c0",
		QUICVersion:    "V-1",
	}
	if diff := cmp.Diff(want, f.TLS); diff != "" {
		t.Errorf("TLS (-want +got):\n%s", diff)
	}
}

func TestQUICVersionName(t *testing.T) {
	tests := []struct {
		version uint32
		want    string
	}{
		{0x00000001, "V-1"},
		{0x6b3343cf, "V-2"},
		{0xff00001d, "Draft-29"},
		{0xff000022, "Draft-34"},
		{0x51303436, "Q046"},
		{0x54303531, "T051"},
		{0xfaceb001, "MVFST-22"},
		{0xfaceb002, "MVFST-27"},
		{0xfaceb00e, "MVFST-EXP"},
		{0x1a2a3a4a, "Ver-Negotiation"},
		{0x12345678, "Unknown (12345678)"},
	}
	for _, tt := range tests {
		if got := quicVersionName(tt.version); got != tt.want {
			t.Errorf("quicVersionName(%#x) = %q, want %q", tt.version, got, tt.want)
		}
	}
}

func TestQUICNotMine(t *testing.T) {
	meet := loadDatagrams(t, "v1_google_meet")[0]
	unknownVersion := slices.Clone(meet)
	copy(unknownVersion[1:5], []byte{0x12, 0x34, 0x56, 0x78})
	handshake := slices.Clone(meet)
	handshake[0] = 0xe3 // long header, type Handshake
	dns := make([]byte, 1250)
	copy(dns, mustHex(t, "abcd01000001000000000000"))
	// nDPI 4.x reports this capture's flow as QUIC from its header alone;
	// flowlens requires the Initial to decrypt.
	badKeys := loadDatagrams(t, "mvfst22_bad_keys")[0]
	notCHLO := slices.Clone(loadDatagrams(t, "q043")[0])
	chlo := bytes.Index(notCHLO, []byte("CHLO"))
	copy(notCHLO[chlo:], "SHLO")

	tests := []struct {
		name     string
		protocol uint8
		payload  []byte
	}{
		{"empty", 17, nil},
		{"short datagram", 17, meet[:1199]},
		{"unknown version", 17, unknownVersion},
		{"handshake packet first", 17, handshake},
		{"DNS-like payload", 17, dns},
		{"Initial that does not decrypt", 17, badKeys},
		{"Google header without CHLO", 17, notCHLO},
		{"TCP", 6, meet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: tt.protocol}
			f.Packets[ClientToServer]++
			if v := (QUIC{}).Inspect(f, &Packet{Payload: tt.payload}); v != NotMine {
				t.Errorf("verdict = %s, want NotMine", verdictNames[v])
			}
			if f.inspection != nil && f.scratch != nil {
				t.Errorf("dissector kept state for a flow that is not QUIC")
			}
		})
	}
}

// TestQUICServerPacketsIgnored checks that server datagrams neither end
// nor feed the Client Hello, and that the packet bound ends the flow.
func TestQUICServerPacketsIgnored(t *testing.T) {
	datagrams := loadDatagrams(t, "two_packets")
	f := &Flow{Protocol: 17}
	f.Packets[ClientToServer]++
	if v := (QUIC{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: datagrams[0]}); v != Claimed {
		t.Fatalf("first verdict = %s, want Claimed", verdictNames[v])
	}
	for i := 0; i < quicMaxPackets-2; i++ {
		f.Packets[ServerToClient]++
		if v := (QUIC{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: datagrams[1]}); v != Claimed {
			t.Fatalf("server packet %d: verdict = %s, want Claimed", i, verdictNames[v])
		}
	}
	f.Packets[ServerToClient]++
	if v := (QUIC{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: datagrams[1]}); v != Done {
		t.Errorf("verdict at the packet bound = %s, want Done", verdictNames[v])
	}
	if f.TLS.SNI != "" || f.TLS.ALPN != nil {
		t.Errorf("server packets fed the Client Hello: %+v", f.TLS)
	}
}

func TestQUICCryptoReassembly(t *testing.T) {
	hello := []byte{1, 0, 0, 6, 'a', 'b', 'c', 'd', 'e', 'f'}
	type piece struct {
		offset uint64
		data   []byte
	}
	tests := []struct {
		name     string
		pieces   []piece
		complete bool
	}{
		{"in order", []piece{{0, hello[:4]}, {4, hello[4:]}}, true},
		{"reversed", []piece{{6, hello[6:]}, {2, hello[2:6]}, {0, hello[:2]}}, true},
		{"overlapping repeats", []piece{{3, hello[3:8]}, {0, hello[:5]}, {7, hello[7:]}, {0, hello}}, true},
		{"gap left", []piece{{0, hello[:4]}, {6, hello[6:]}}, false},
		{"missing start", []piece{{1, hello[1:]}}, false},
		{"truncated message", []piece{{0, hello[:9]}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s quicCrypto
			for _, p := range tt.pieces {
				s.add(p.offset, p.data)
			}
			body, complete := s.clientHello()
			if complete != tt.complete {
				t.Fatalf("complete = %v, want %v (spans %v)", complete, tt.complete, s.spans)
			}
			if complete && string(body) != "abcdef" {
				t.Errorf("body = %q, want %q", body, "abcdef")
			}
		})
	}
}

func TestQUICCryptoCaps(t *testing.T) {
	var s quicCrypto
	s.add(quicCryptoCap-2, []byte{1, 2, 3, 4})
	s.add(quicCryptoCap+10, []byte{5})
	if s.dropped != 3 {
		t.Errorf("dropped = %d bytes past the cap, want 3", s.dropped)
	}
	if len(s.data) != quicCryptoCap {
		t.Errorf("buffer = %d bytes, want the cap %d", len(s.data), quicCryptoCap)
	}

	var many quicCrypto
	for i := range quicMaxSpans + 1 {
		many.add(uint64(10*i+1), []byte{0})
	}
	if len(many.spans) != quicMaxSpans || many.dropped != 1 {
		t.Errorf("spans, dropped = %d, %d, want %d, 1", len(many.spans), many.dropped, quicMaxSpans)
	}
	many.add(0, make([]byte, 10*quicMaxSpans+5))
	if len(many.spans) != 1 || many.spans[0] != (quicSpan{0, 10*quicMaxSpans + 5}) {
		t.Errorf("spans after filling the gaps = %v, want one", many.spans)
	}
}

func FuzzQUICInitial(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join(quicTestdata, "*.bin"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, datagram []byte) {
		input := slices.Clone(datagram)
		fl := &Flow{Protocol: 17}
		for range 2 {
			fl.Packets[ClientToServer]++
			if v := (QUIC{}).Inspect(fl, &Packet{Payload: datagram}); v == NotMine || v == Done {
				break
			}
		}
		if !bytes.Equal(input, datagram) {
			t.Fatal("Inspect modified the payload")
		}
		readQUICUserAgent(datagram, quicV1, &record.TLS{})
		readQUICUserAgent(datagram, quicT050, &record.TLS{})
		var s quicCrypto
		walkQUICFrames(datagram, &s)
		walkGoogleFrames(datagram, &s)
		data, _ := googleStreamData(datagram, quicQ039)
		if msg, ok := parseCHLO(data); ok {
			readCHLO(msg, &Flow{TLS: &record.TLS{}})
		}
		if msg, ok := s.chlo(); ok {
			readCHLO(msg, &Flow{TLS: &record.TLS{}})
		}
	})
}

func BenchmarkQUICInspect(b *testing.B) {
	datagram := loadDatagrams(b, "v1_google_meet")[0]
	b.ReportAllocs()
	for b.Loop() {
		f := &Flow{Protocol: 17}
		f.Packets[ClientToServer]++
		if v := (QUIC{}).Inspect(f, &Packet{Payload: datagram}); v != Done {
			b.Fatalf("verdict = %s, want Done", verdictNames[v])
		}
	}
}

func BenchmarkQUICNotMine(b *testing.B) {
	payload := make([]byte, 1300)
	b.ReportAllocs()
	for b.Loop() {
		f := Flow{Protocol: 17}
		if v := (QUIC{}).Inspect(&f, &Packet{Payload: payload}); v != NotMine {
			b.Fatalf("verdict = %s, want NotMine", verdictNames[v])
		}
	}
}
