package store

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/record"
)

// testBase is the first_seen of the first test flow.
var testBase = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// loadTestFlows reads testdata/flows.jsonl and gives each flow an id and
// times spread over about 14 hours, at microsecond precision.
func loadTestFlows(t testing.TB) []*record.Flow {
	t.Helper()
	f, err := os.Open("testdata/flows.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var flows []*record.Flow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; sc.Scan(); i++ {
		fl := &record.Flow{}
		if err := json.Unmarshal(sc.Bytes(), fl); err != nil {
			t.Fatalf("flows.jsonl line %d: %v", i+1, err)
		}
		fl.Schema = record.SchemaVersion
		fl.ID = fmt.Sprintf("t%05d", i)
		fl.FirstSeen = testBase.Add(time.Duration(i)*97*time.Second + time.Duration(i)*time.Microsecond)
		fl.LastSeen = fl.FirstSeen.Add(time.Duration(i) * time.Millisecond)
		flows = append(flows, fl)
	}
	return flows
}

// backendFilters are the filters every backend must answer as Matcher does.
var backendFilters = []string{
	"true",
	"not true",
	`app = "TLS.YouTube"`,
	"app != DNS and l4 = UDP",
	"client_ip in 192.168.0.0/16",
	"not client_ip in (10.0.0.0/8, 192.168.0.0/16)",
	"ip = 2000::/3",
	"client_ip = fe80::91f9:3df3:7436:6cd6",
	"ip in (2001:b07:a3d:c112::/64, 2001:b030:214:100:c2a0:bbff:fe73:eb47)",
	"server_ip = 8.8.8.8 or server_ip in ::ffff:0:0/96",
	"port in (53, 443)",
	"app = DNS or l4 = UDP or port = 53",
	"(ip = 192.168.1.2 or tls.sni contains google) and first_seen < 2024-05-01T08:00:00Z",
	"port != 443",
	"bytes > 10000",
	"c2s_packets <= 2 and s2c_packets >= 1",
	"tls.sni contains google",
	"tls.sni starts with www.",
	`tls.sni > "m"`,
	`tls.sni = ""`,
	"dns.query starts with api",
	"risks = known_protocol_on_non_standard_port",
	"risks contains tls_",
	"risks starts with unidir",
	"tls.alpn = h2",
	"dns.answers contains .",
	"tls.cert.san starts with *.",
	"tls.cert.not_after < 2020-01-01",
	"first_seen >= 2024-05-01T06:00:00Z and first_seen < 2024-05-01T07:00:00.000005Z",
	"first_seen = 2024-05-01T00:01:37.000001Z",
	"vlan > 0",
	"http.status >= 400 or http.method = POST",
	"http.status = 200 or http.content_type contains json",
	"tls.cipher contains AES and tls.cert.not_before > 2015-01-01",
	"tls.client_versions = TLSv1.2",
	"ssh.client_banner contains SSH",
	"dhcp.hostname != \"\"",
	"category in (Web, Media, Streaming) and breed = Safe",
	"(tls.version = TLSv1.3 or tls.version = TLSv1.2) and not confidence = dpi",
	"id in (t00003, t00499, nosuch)",
	"risk_score > 50",
	"ip_version = 6",
}

func writeTestFlows(t *testing.T, s Store, flows []*record.Flow) {
	t.Helper()
	ctx := context.Background()
	half := len(flows) / 2
	for _, batch := range [][]*record.Flow{flows[:half], flows[half:]} {
		if err := s.WriteFlows(ctx, batch); err != nil {
			t.Fatalf("WriteFlows: %v", err)
		}
	}
}

// testBackend runs the behaviour every Store must share.
func testBackend(t *testing.T, s Store) {
	switch b := s.(type) {
	case *DuckDB:
		b.Locate = testLocate
	case *ClickHouse:
		b.Locate = testLocate
	}
	flows := loadTestFlows(t)
	writeTestFlows(t, s, flows)
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, s, flows) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, s, flows) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, s, flows) })
	t.Run("Top", func(t *testing.T) { testTop(t, s, flows) })
	t.Run("Countries", func(t *testing.T) { testCountries(t, s, flows) })
	t.Run("Series", func(t *testing.T) { testSeries(t, s, flows) })
	t.Run("Alerts", func(t *testing.T) { testAlerts(t, s) })
	t.Run("HostileValues", func(t *testing.T) { testHostile(t, s) })
}

func jsonLines(t *testing.T, flows []*record.Flow) []string {
	t.Helper()
	out := make([]string, len(flows))
	for i, fl := range flows {
		b, err := json.Marshal(fl)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

func testRoundTrip(t *testing.T, s Store, flows []*record.Flow) {
	got, err := s.QueryFlows(context.Background(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(jsonLines(t, flows), jsonLines(t, got)); diff != "" {
		t.Errorf("flows read back (-want +got):\n%s", diff)
	}
}

func ids(flows []*record.Flow) []string {
	out := make([]string, 0, len(flows))
	for _, fl := range flows {
		out = append(out, fl.ID)
	}
	sort.Strings(out)
	return out
}

func testFilters(t *testing.T, s Store, flows []*record.Flow) {
	ctx := context.Background()
	for _, text := range backendFilters {
		f, err := ParseFilter(text)
		if err != nil {
			t.Fatalf("ParseFilter(%q): %v", text, err)
		}
		m, _ := NewMatcher(f)
		var want []*record.Flow
		for _, fl := range flows {
			if m.Match(fl) {
				want = append(want, fl)
			}
		}
		got, err := s.QueryFlows(ctx, Query{Scope: Scope{Filter: f}})
		if err != nil {
			t.Errorf("QueryFlows(%q): %v", text, err)
			continue
		}
		if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
			t.Errorf("QueryFlows(%q) ids (-matcher +backend):\n%s", text, diff)
		}
		n, err := s.Count(ctx, Scope{Filter: f})
		if err != nil || n != uint64(len(want)) {
			t.Errorf("Count(%q) = %d, %v; want %d", text, n, err, len(want))
		}
	}
}

func testPaging(t *testing.T, s Store, flows []*record.Flow) {
	ctx := context.Background()
	from, to := testBase.Add(time.Hour), testBase.Add(3*time.Hour)
	orders := []struct {
		by  string
		key func(*record.Flow) int64
	}{
		{"c2s_bytes", func(fl *record.Flow) int64 { return int64(fl.C2SBytes) }},
		{"bytes", func(fl *record.Flow) int64 { return int64(fl.C2SBytes + fl.S2CBytes) }},
		{"duration", func(fl *record.Flow) int64 { return int64(fl.LastSeen.Sub(fl.FirstSeen)) }},
	}
	for _, o := range orders {
		q := Query{Scope: Scope{From: from, To: to}, OrderBy: o.by, Desc: true, Limit: 7, Offset: 3}
		got, err := s.QueryFlows(ctx, q)
		if err != nil {
			t.Fatalf("order by %s: %v", o.by, err)
		}
		var want []*record.Flow
		for _, fl := range flows {
			if !fl.FirstSeen.Before(from) && fl.FirstSeen.Before(to) {
				want = append(want, fl)
			}
		}
		sort.SliceStable(want, func(i, j int) bool {
			if a, b := o.key(want[i]), o.key(want[j]); a != b {
				return a > b
			}
			if !want[i].FirstSeen.Equal(want[j].FirstSeen) {
				return want[i].FirstSeen.After(want[j].FirstSeen)
			}
			return want[i].ID > want[j].ID
		})
		want = want[3:10]
		if diff := cmp.Diff(jsonLines(t, want), jsonLines(t, got)); diff != "" {
			t.Errorf("page ordered by %s (-want +got):\n%s", o.by, diff)
		}
	}
	if _, err := s.QueryFlows(ctx, Query{OrderBy: "risks"}); err == nil {
		t.Errorf("QueryFlows ordered by a list field returned no error")
	}
}

func testTop(t *testing.T, s Store, flows []*record.Flow) {
	for _, by := range []string{"app", "tls.cipher", "http.content_type"} {
		got, err := s.Top(context.Background(), TopQuery{By: by, N: 10, Scope: Scope{Filter: Cond("l4", OpEq, "TCP")}})
		if err != nil {
			t.Fatal(err)
		}
		want := topOf(flows, fieldsByName[by], 10)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("top %s (-want +got):\n%s", by, diff)
		}
	}
}

// topOf ranks the string values of f in the TCP flows by bytes.
func topOf(flows []*record.Flow, f *field, n int) []TopEntry {
	sums := map[string]*TopEntry{}
	for _, fl := range flows {
		if fl.L4 != "TCP" {
			continue
		}
		v := f.str(fl)
		e := sums[v]
		if e == nil {
			e = &TopEntry{Value: v}
			sums[v] = e
		}
		e.Bytes += fl.C2SBytes + fl.S2CBytes
		e.Flows++
	}
	var want []TopEntry
	for _, e := range sums {
		want = append(want, *e)
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i].Bytes != want[j].Bytes {
			return want[i].Bytes > want[j].Bytes
		}
		return want[i].Value < want[j].Value
	})
	return want[:min(n, len(want))]
}

func testSeries(t *testing.T, s Store, flows []*record.Flow) {
	// Hours from the epoch, and odd-sized buckets from an odd start.
	odd := testBase.Add(90*time.Second + 123*time.Microsecond)
	for _, q := range []SeriesQuery{
		{Bucket: time.Hour, Scope: Scope{To: testBase.Add(5 * time.Hour)}},
		{Bucket: 1500*time.Millisecond + time.Microsecond, Scope: Scope{From: odd, To: odd.Add(time.Hour)}},
	} {
		got, err := s.BytesOverTime(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantSeries(flows, q), got); diff != "" {
			t.Errorf("bytes per %v from %v (-want +got):\n%s", q.Bucket, q.From, diff)
		}
	}
}

// wantSeries sums the flows in q's scope per bucket, the buckets counted
// from q.From.
func wantSeries(flows []*record.Flow, q SeriesQuery) []SeriesPoint {
	byStart := map[time.Time]*SeriesPoint{}
	for _, fl := range flows {
		if fl.FirstSeen.Before(q.From) || !fl.FirstSeen.Before(q.To) {
			continue
		}
		origin := q.From
		if origin.IsZero() {
			origin = time.Unix(0, 0).UTC()
		}
		start := origin.Add(fl.FirstSeen.Sub(origin) / q.Bucket * q.Bucket)
		if byStart[start] == nil {
			byStart[start] = &SeriesPoint{Start: start}
		}
		byStart[start].Bytes += fl.C2SBytes + fl.S2CBytes
		byStart[start].Flows++
	}
	var want []SeriesPoint
	for _, p := range byStart {
		want = append(want, *p)
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Start.Before(want[j].Start) })
	return want
}

func testAlerts(t *testing.T, s Store) {
	ctx := context.Background()
	alerts := []Alert{
		{Time: testBase.Add(time.Second + time.Microsecond), Severity: "high", Risk: "tls_certificate_expired",
			Description: "certificate expired on 2020-01-01", Client: netip.MustParseAddrPort("10.0.0.1:5000"),
			Server: netip.MustParseAddrPort("[2001:db8::1]:443"), FlowID: "t00001"},
		{Time: testBase.Add(2 * time.Second), Severity: "low", Risk: "unidirectional_traffic",
			Client: netip.MustParseAddrPort("10.0.0.2:1"), Server: netip.MustParseAddrPort("10.0.0.3:2")},
	}
	if err := s.WriteAlerts(ctx, alerts); err != nil {
		t.Fatal(err)
	}
	got, err := s.QueryAlerts(ctx, AlertQuery{From: testBase, To: testBase.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := []Alert{alerts[1], alerts[0]}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

func testHostile(t *testing.T, s Store) {
	ctx := context.Background()
	var flows []*record.Flow
	for i, v := range hostileValues {
		flows = append(flows, &record.Flow{Schema: 1, ID: fmt.Sprintf("hostile%02d", i), IPVersion: 4, L4: "TCP",
			ClientIP: "127.0.0.1", ServerIP: "127.0.0.2", App: "TLS", MasterProtocol: "TLS", Risks: []string{"hostile:" + v},
			FirstSeen: testBase.Add(-time.Hour), TLS: &record.TLS{SNI: "hostile:" + v, Cipher: "hostile:" + v}})
	}
	if err := s.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	// tls.sni has a column in every backend; tls.cipher and the risks list
	// are stored as JSON by the embedded backend.
	for _, name := range []string{"tls.sni", "tls.cipher", "risks"} {
		for i, v := range hostileValues {
			f, err := ParseFilter(Cond(name, OpEq, "hostile:"+v).String())
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.QueryFlows(ctx, Query{Scope: Scope{Filter: f}})
			if err != nil {
				t.Errorf("query %s %q: %v", name, v, err)
				continue
			}
			if len(got) != 1 || got[0].ID != flows[i].ID {
				t.Errorf("query %s %q returned %d flows: %s", name, v, len(got), jsonLines(t, got))
				continue
			}
			if diff := cmp.Diff(flows[i], got[0]); diff != "" {
				t.Errorf("flow with %s %q read back (-written +read):\n%s", name, v, diff)
			}
		}
	}
}

// testLocate places IPv4 addresses below 128.0.0.0 in DE, the other IPv4
// addresses in US and IPv6 addresses in JP.
func testLocate(a netip.Addr) string {
	switch {
	case !a.Is4():
		return "JP"
	case a.As4()[0] < 128:
		return "DE"
	}
	return "US"
}

func testCountries(t *testing.T, s Store, flows []*record.Flow) {
	ctx := context.Background()
	got, err := s.Top(ctx, TopQuery{By: "server_country", N: 10, Scope: Scope{Filter: Cond("l4", OpEq, "TCP")}})
	if err != nil {
		t.Fatal(err)
	}
	want := topOf(flows, &field{str: func(fl *record.Flow) string {
		return testLocate(netip.MustParseAddr(fl.ServerIP))
	}}, 10)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("top server_country (-want +got):\n%s", diff)
	}

	var de uint64
	for _, fl := range flows {
		if testLocate(netip.MustParseAddr(fl.ClientIP)) == "DE" {
			de++
		}
	}
	n, err := s.Count(ctx, Scope{Filter: Cond("client_country", OpEq, "DE")})
	if err != nil {
		t.Fatal(err)
	}
	if n != de || de == 0 {
		t.Errorf("Count(client_country = DE) = %d, want %d (not 0)", n, de)
	}
}
