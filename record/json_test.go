package record

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// goldenRecords is the pipeline's golden output for the bundled capture.
const goldenRecords = "../pipeline/testdata/iphone.golden.jsonl"

// reflectJSON encodes f with encoding/json's reflection, with the times
// appended as first_seen and last_seen. AppendJSON must match it byte for
// byte.
func reflectJSON(t testing.TB, f *Flow) []byte {
	t.Helper()
	type plain Flow
	b, err := json.Marshal(struct {
		*plain
		FirstSeen string `json:"first_seen"`
		LastSeen  string `json:"last_seen"`
	}{(*plain)(f), formatTime(f.FirstSeen), formatTime(f.LastSeen)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readGolden(t testing.TB) [][]byte {
	t.Helper()
	file, err := os.Open(goldenRecords)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var lines [][]byte
	scanner := bufio.NewScanner(file)
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		lines = append(lines, append([]byte(nil), scanner.Bytes()...))
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// fullFlow returns a flow with every field set, with strings that need
// each kind of escape encoding/json writes.
func fullFlow() *Flow {
	at := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("CET", 3600))
	odd := "a\"b\\c<d>e&f\x00\x1f\b\f\n\r\t\x7f é\u2028\u2029\xff\xc3 end"
	return &Flow{
		Schema: SchemaVersion, ID: "id-" + odd, FirstSeen: at, LastSeen: at.Add(time.Second),
		VLAN: 4095, IPVersion: 6, L4: "TCP", ClientIP: "2001:db8::1", ClientPort: 65535,
		ServerIP: "2001:db8::2", ServerPort: 443,
		C2SPackets: 1<<64 - 1, C2SBytes: 12, S2CPackets: 3, S2CBytes: 4,
		App: "TLS.Google", MasterProtocol: "TLS", AppProtocol: "Google", Category: "Web",
		Breed: "Safe", Confidence: "dpi", Info: odd,
		Risks: []string{"tls_obsolete_version", odd}, RiskScore: -7,
		TLS: &TLS{
			Version: "TLSv1.3", ClientVersions: []string{"TLSv1.2", "TLSv1.3"}, SNI: odd,
			ALPN: []string{"h2", "http/1.1"}, NegotiatedALPN: "h2", Cipher: "TLS_AES_128_GCM_SHA256",
			JA3: "ja3", JA3S: "ja3s", JA4: "ja4", JA4S: "ja4s",
			Cert: &Cert{
				Subject: "CN=" + odd, Issuer: "CN=issuer", NotBefore: at, NotAfter: at.AddDate(1, 0, 0),
				SHA1: "00:11", SAN: []string{"*.example.com", odd},
			},
			QUICVersion: "v1", UserAgent: odd,
		},
		SSH:  &SSH{ClientBanner: "SSH-2.0-a", ServerBanner: odd, HASSH: "h", HASSHServer: "hs"},
		DNS:  &DNS{Query: odd, QType: "A", RCode: "NOERROR", Answers: []string{"192.0.2.1", odd}},
		HTTP: &HTTP{Method: "GET", Host: odd, URL: "/?a=<b>&c", UserAgent: "ua", Status: 200, ContentType: "text/html", Server: "s", Requests: 3},
		DHCP: &DHCP{Hostname: odd, Fingerprint: "1,3,6", ClassID: "MSFT 5.0"},
	}
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	cases := map[string]*Flow{
		"zero":                 {},
		"every field":          fullFlow(),
		"empty lists":          {Risks: []string{}, TLS: &TLS{ALPN: []string{}, Cert: &Cert{SAN: []string{}}}},
		"empty nested objects": {TLS: &TLS{Cert: &Cert{}}, SSH: &SSH{}, DNS: &DNS{}, HTTP: &HTTP{}, DHCP: &DHCP{}},
		"negative numbers":     {Schema: -1, IPVersion: -4, RiskScore: -1, HTTP: &HTTP{Status: -1, Requests: -2}},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			want := string(reflectJSON(t, f))
			got := string(f.AppendJSON(nil))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("AppendJSON differs from encoding/json (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendJSONGoldenRecords(t *testing.T) {
	lines := readGolden(t)
	if len(lines) == 0 {
		t.Fatalf("%s has no records", goldenRecords)
	}
	for i, line := range lines {
		var f Flow
		if err := json.Unmarshal(line, &f); err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		got := string(f.AppendJSON(nil))
		if diff := cmp.Diff(string(reflectJSON(t, &f)), got); diff != "" {
			t.Errorf("record %d: AppendJSON differs from encoding/json (-want +got):\n%s", i+1, diff)
		}
		if diff := cmp.Diff(string(line), got); diff != "" {
			t.Errorf("record %d: AppendJSON differs from the golden line (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestAppendJSONAppends(t *testing.T) {
	f := fullFlow()
	prefix := []byte("prefix ")
	got := f.AppendJSON(prefix)
	want := "prefix " + string(reflectJSON(t, f))
	if string(got) != want {
		t.Errorf("AppendJSON(prefix) = %q, want %q", got, want)
	}
}

func TestMarshalJSONUsesAppendJSON(t *testing.T) {
	f := fullFlow()
	got, err := f.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := f.AppendJSON(nil); string(got) != string(want) {
		t.Errorf("MarshalJSON = %s, want %s", got, want)
	}
	var back Flow
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if want := f.FirstSeen.Truncate(time.Microsecond); !back.FirstSeen.Equal(want) {
		t.Errorf("first_seen read back as %v, want %v", back.FirstSeen, want)
	}
}

// FuzzAppendJSON puts arbitrary strings and numbers in the record's fields
// and checks AppendJSON against encoding/json. It is seeded with the
// strings of the pipeline's golden records.
func FuzzAppendJSON(f *testing.F) {
	for _, line := range readGolden(f) {
		var fl Flow
		if err := json.Unmarshal(line, &fl); err != nil {
			f.Fatal(err)
		}
		f.Add(fl.App, fl.Info, fl.ClientIP, uint64(fl.C2SBytes), int64(fl.FirstSeen.UnixNano()))
	}
	f.Add("\xff<&>\u2028", "\x00\"\\", "", uint64(0), int64(0))
	f.Fuzz(func(t *testing.T, a, b, c string, n uint64, nanos int64) {
		fl := fullFlow()
		fl.App, fl.Info, fl.ClientIP, fl.C2SBytes = a, b, c, n
		fl.FirstSeen = time.Unix(0, nanos)
		fl.Risks = []string{a, b}
		fl.TLS.SNI, fl.TLS.Cert.Subject, fl.TLS.Cert.SAN = c, a, []string{b}
		fl.DNS.Query, fl.HTTP.URL, fl.DHCP.Hostname = b, c, a
		want := string(reflectJSON(t, fl))
		if got := string(fl.AppendJSON(nil)); got != want {
			t.Errorf("AppendJSON = %q, want %q", got, want)
		}
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	f := fullFlow()
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = f.AppendJSON(buf[:0])
	}
}

func BenchmarkMarshalJSONReflect(b *testing.B) {
	f := fullFlow()
	b.ReportAllocs()
	for b.Loop() {
		reflectJSON(b, f)
	}
}

// TestAppendTimeMatchesLayout checks the digit-by-digit time writer against
// AppendFormat with TimeLayout: zone offsets, sub-microsecond parts that
// must be cut, not rounded, leap days, and years past the fast path.
func TestAppendTimeMatchesLayout(t *testing.T) {
	east := time.FixedZone("east", 5*3600+30*60)
	times := []time.Time{
		time.Unix(0, 0),
		time.Unix(1, 999_999_999),
		time.Unix(-1, 1),
		time.Date(2024, 2, 29, 23, 59, 59, 123_456_789, time.UTC),
		time.Date(2026, 12, 5, 1, 2, 3, 999, east),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 0, 0, 0, 0, time.UTC),
	}
	for s := int64(-4e9); s < 4e11; s += 7_777_777_777 {
		times = append(times, time.Unix(s, s*7919%1e9))
	}
	for _, tm := range times {
		got := string(appendTime([]byte("x"), tm))
		want := "x" + tm.UTC().Format(TimeLayout)
		if got != want {
			t.Errorf("appendTime(%v) = %q, want %q", tm, got, want)
		}
	}
}
