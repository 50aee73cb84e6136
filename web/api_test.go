package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/record"
)

type testEnv struct {
	handler http.Handler
	flows   []record.Flow
}

// newTestEnv serves the corpus flows of iphone.pcap and ssh.pcap, the two
// hostile SNIs and one DNS flow with qtype and rcode, all as active and as
// stored flows.
func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	flows := loadFlows(t, "flows.jsonl", "hostile.jsonl", "dns-typed.jsonl")
	cfg := Config{Geo: fakeLocator{}, Risks: riskTable(testRisks)}
	h, err := New(cfg, newFakeLive(flows), &fakeHistory{flows: flows}, newFakeAlerts(flows), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{handler: h, flows: flows}
}

func (e *testEnv) get(t *testing.T, url string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	return rec
}

func (e *testEnv) getJSON(t *testing.T, url string, v any) {
	t.Helper()
	rec := e.get(t, url)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %s", url, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

type pageBody struct {
	Total int `json:"total"`
	Page  int `json:"page"`
	Rows  []struct {
		Flow       record.Flow `json:"flow"`
		Throughput *float64    `json:"throughput_bps"`
		Bytes      uint64      `json:"bytes"`
		Encrypted  bool        `json:"encrypted"`
		Cast       string      `json:"cast"`
		ServerGeo  struct {
			Country string `json:"country"`
		} `json:"server_geo"`
		ClientGeo struct {
			Self bool `json:"self"`
		} `json:"client_geo"`
	} `json:"rows"`
}

func TestActiveFlowsSortAndPage(t *testing.T) {
	e := newTestEnv(t)
	var p pageBody
	e.getJSON(t, "/api/flows/active?sort=bytes&order=desc&page=1&size=10", &p)
	if p.Total != len(e.flows) {
		t.Errorf("total = %d, want %d", p.Total, len(e.flows))
	}
	if len(p.Rows) != 10 {
		t.Fatalf("rows = %d, want 10", len(p.Rows))
	}
	for i := 1; i < len(p.Rows); i++ {
		if p.Rows[i].Bytes > p.Rows[i-1].Bytes {
			t.Errorf("row %d has %d bytes, more than row %d with %d", i, p.Rows[i].Bytes, i-1, p.Rows[i-1].Bytes)
		}
	}
	if p.Rows[0].Throughput == nil {
		t.Error("active row has no throughput_bps")
	}

	var last pageBody
	e.getJSON(t, "/api/flows/active?sort=bytes&order=desc&page=6&size=10", &last)
	if want := len(e.flows) - 50; len(last.Rows) != want {
		t.Errorf("page 6 rows = %d, want %d", len(last.Rows), want)
	}

	// A page past the end returns the last page, with its number in page.
	var past pageBody
	e.getJSON(t, "/api/flows/active?sort=bytes&order=desc&page=99&size=10", &past)
	if past.Page != 6 {
		t.Errorf("page 99 of 6: page = %d, want 6", past.Page)
	}
	if diff := cmp.Diff(last.Rows, past.Rows); diff != "" {
		t.Errorf("page 99 of 6 vs page 6 (-page 6 +page 99):\n%s", diff)
	}

	var asc pageBody
	e.getJSON(t, "/api/flows/active?sort=client_ip&order=asc&size=100", &asc)
	if asc.Rows[0].Flow.ClientIP != "0.0.0.0" {
		t.Errorf("first client by ascending address = %s, want 0.0.0.0 (the DHCP client)", asc.Rows[0].Flow.ClientIP)
	}
	if last := asc.Rows[len(asc.Rows)-1].Flow.ClientIP; !strings.Contains(last, ":") {
		t.Errorf("last client by ascending address = %s, want an IPv6 address", last)
	}
}

func TestActiveFlowsFilters(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		query string
		check func(r record.Flow) bool
	}{
		{"app=TLS.AppleiCloud", func(r record.Flow) bool { return r.App == "TLS.AppleiCloud" }},
		{"host=17.248.185.87", func(r record.Flow) bool { return r.ClientIP == "17.248.185.87" || r.ServerIP == "17.248.185.87" }},
		{"port=22", func(r record.Flow) bool { return r.ClientPort == 22 || r.ServerPort == 22 }},
		{"app=TLS.AppleiCloud&port=443", func(r record.Flow) bool { return r.App == "TLS.AppleiCloud" && r.ServerPort == 443 }},
		{"host=::ffff:192.168.2.1", func(r record.Flow) bool { return r.ClientIP == "192.168.2.1" || r.ServerIP == "192.168.2.1" }},
		{"cast=multicast", func(r record.Flow) bool { return netip.MustParseAddr(r.ServerIP).IsMulticast() }},
		{"cast=broadcast", func(r record.Flow) bool { return r.ServerIP == "255.255.255.255" || r.ServerIP == "192.168.2.255" }},
		{"cast=unicast", func(r record.Flow) bool {
			a := netip.MustParseAddr(r.ServerIP)
			return !a.IsMulticast() && r.ServerIP != "255.255.255.255" && r.ServerIP != "192.168.2.255"
		}},
	}
	for _, tt := range tests {
		want := 0
		for _, f := range e.flows {
			if tt.check(f) {
				want++
			}
		}
		var p pageBody
		e.getJSON(t, "/api/flows/active?size=100&"+tt.query, &p)
		if p.Total != want || want == 0 {
			t.Errorf("%s: total = %d, want %d (non-zero)", tt.query, p.Total, want)
		}
		for _, r := range p.Rows {
			if !tt.check(r.Flow) {
				t.Errorf("%s: row %s does not match", tt.query, r.Flow.ID)
			}
		}
	}
}

func TestHistoryBadParams(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{
		"/api/history/bytes?to=253402300800",
		"/api/history/bytes?from=-9223372036854775808",
		"/api/history/flows?from=9223372036854775807",
		"/api/history/flows?from=10000-01-01T00:00:00Z",
		"/api/history/flows?filter=%zz",
		"/api/flows/active?sort=%zz",
		"/api/history/flows?order=sideways",
	} {
		rec := e.get(t, path)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, rec.Code)
		}
		var body apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || !strings.HasPrefix(body.Error, "invalid ") {
			t.Errorf("%s: body %q, want an \"invalid ...\" error", path, rec.Body)
		}
	}
}

func TestActiveFlowsBadParams(t *testing.T) {
	e := newTestEnv(t)
	for _, q := range []string{"sort=color", "order=sideways", "size=0", "size=5000", "page=-1", "host=example.com", "port=70000", "cast=anycast"} {
		rec := e.get(t, "/api/flows/active?"+q)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, rec.Code)
		}
		var body apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || !strings.HasPrefix(body.Error, "invalid ") {
			t.Errorf("%s: body %q, want an \"invalid ...\" error", q, rec.Body)
		}
	}
}

func TestRowMarks(t *testing.T) {
	e := newTestEnv(t)
	var p pageBody
	e.getJSON(t, "/api/flows/active?size=100", &p)
	seen := map[string]bool{}
	for _, r := range p.Rows {
		f := r.Flow
		if f.TLS != nil && !r.Encrypted {
			t.Errorf("TLS flow %s not marked encrypted", f.ID)
		}
		if f.App == "MDNS" && r.Cast != "multicast" {
			t.Errorf("MDNS flow %s to %s: cast %q, want multicast", f.ID, f.ServerIP, r.Cast)
		}
		if strings.HasPrefix(f.ServerIP, "17.") && r.ServerGeo.Country != "US" {
			t.Errorf("flow %s server %s: country %q, want US", f.ID, f.ServerIP, r.ServerGeo.Country)
		}
		if f.ClientIP == "192.168.2.17" && !r.ClientGeo.Self {
			t.Errorf("flow %s: client 192.168.2.17 not marked as the monitoring host", f.ID)
		}
		seen[r.Cast] = true
	}
	if !seen["multicast"] {
		t.Error("no multicast flow in the test data")
	}
}

func TestFlowDetails(t *testing.T) {
	e := newTestEnv(t)
	var tlsID, sshID string
	for _, f := range e.flows {
		if f.TLS != nil && f.TLS.SNI == "p26-keyvalueservice.icloud.com" {
			tlsID = f.ID
		}
		if f.SSH != nil && sshID == "" {
			sshID = f.ID
		}
	}
	var d struct {
		Flow   record.Flow `json:"flow"`
		Active bool        `json:"active"`
		Risks  []RiskInfo  `json:"risks"`
	}
	e.getJSON(t, "/api/flows/"+tlsID, &d)
	if d.Flow.TLS == nil || d.Flow.TLS.JA3 != "6fa3244afc6bb6f9fad207b6b52af26b" {
		t.Errorf("TLS flow %s: tls = %+v, want JA3 6fa3244afc6bb6f9fad207b6b52af26b", tlsID, d.Flow.TLS)
	}
	if !d.Active {
		t.Error("active flow reported as closed")
	}

	e.getJSON(t, "/api/flows/"+sshID, &d)
	if len(d.Risks) != 2 || d.Risks[0].Severity == "" || d.Risks[0].Title == "" {
		t.Errorf("SSH flow risks = %+v, want 2 described risks", d.Risks)
	}

	if rec := e.get(t, "/api/flows/nope"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown flow: status %d, want 404", rec.Code)
	}
}

func TestFlowDetailsFromHistory(t *testing.T) {
	flows := loadFlows(t, "flows.jsonl")
	h, err := New(Config{}, newFakeLive(nil), &fakeHistory{flows: flows}, newFakeAlerts(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/flows/"+flows[3].ID, nil))
	var d struct {
		Flow   record.Flow `json:"flow"`
		Active bool        `json:"active"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if d.Active || d.Flow.ID != flows[3].ID {
		t.Errorf("got flow %s active=%v, want stored flow %s", d.Flow.ID, d.Active, flows[3].ID)
	}
}

func TestHostileSNIEscapedInJSON(t *testing.T) {
	e := newTestEnv(t)
	rec := e.get(t, "/api/flows/active?size=100")
	body := rec.Body.String()
	if strings.Contains(body, "<script>") || strings.Contains(body, "<img") {
		t.Error("API response contains raw markup; encoding/json should escape < and >")
	}
	if !strings.Contains(body, `\u003cscript\u003ealert(1)\u003c/script\u003e`) {
		t.Error("API response lacks the escaped hostile SNI")
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/", "/api/flows/active", "/static/js/common.js", "/flows/f1", "/nothing-here"} {
		rec := e.get(t, path)
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows unsafe-inline", path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, h.Get("X-Content-Type-Options"))
		}
		if h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
	}
}

func TestPagesAndAssets(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct{ path, contentType string }{
		{"/", "text/html"},
		{"/flows/f1", "text/html"},
		{"/apps/TLS.Apple", "text/html"},
		{"/hosts/192.168.2.17", "text/html"},
		{"/hosts/fe80::1", "text/html"},
		{"/alerts", "text/html"},
		{"/explorer", "text/html"},
		{"/static/js/explorer.js", "text/javascript"},
		{"/static/style.css", "text/css"},
		{"/static/icons/lock.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		rec := e.get(t, tt.path)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", tt.path, rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
			t.Errorf("%s: Content-Type %q, want %s", tt.path, ct, tt.contentType)
		}
	}
	if rec := e.get(t, "/nothing-here"); rec.Code != http.StatusNotFound {
		t.Errorf("/nothing-here: status %d, want 404", rec.Code)
	}
}

// TestNoInlineScript checks the pages against the CSP: a page with inline
// script or style attributes would break under script-src 'self'.
func TestNoInlineScript(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/", "/flows/f1", "/apps/x", "/hosts/1.2.3.4", "/alerts", "/explorer"} {
		body := e.get(t, path).Body.String()
		for _, inline := range []string{"<script>", " onclick=", " onload=", " onerror=", " style="} {
			if strings.Contains(body, inline) {
				t.Errorf("%s contains inline %q", path, inline)
			}
		}
		if !strings.Contains(body, `<script type="module" src="/static/js/`) {
			t.Errorf("%s does not load its module", path)
		}
	}
}

func TestAppsAndHosts(t *testing.T) {
	e := newTestEnv(t)
	var apps []appCount
	e.getJSON(t, "/api/apps", &apps)
	if len(apps) < 5 {
		t.Errorf("apps = %d entries, want several", len(apps))
	}

	var ah struct {
		Total int           `json:"total"`
		Hosts []hostTraffic `json:"hosts"`
	}
	e.getJSON(t, "/api/apps/SSH/hosts", &ah)
	if ah.Total != 3 {
		t.Errorf("SSH hosts = %d, want 3 (172.16.238.1, 172.16.238.168, 127.0.0.1)", ah.Total)
	}
	for i := 1; i < len(ah.Hosts); i++ {
		if ah.Hosts[i].Sent+ah.Hosts[i].Received > ah.Hosts[i-1].Sent+ah.Hosts[i-1].Received {
			t.Errorf("hosts not sorted by bytes: %+v", ah.Hosts)
		}
	}

	var h hostSummary
	e.getJSON(t, "/api/hosts/192.168.2.17", &h)
	if h.Flows == 0 || !h.Geo.Self || len(h.Apps) == 0 {
		t.Errorf("host 192.168.2.17 = %+v, want flows, self mark and apps", h)
	}
	if rec := e.get(t, "/api/hosts/not-an-ip"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad host: status %d, want 400", rec.Code)
	}
	var mapped hostSummary
	e.getJSON(t, "/api/hosts/::ffff:192.168.2.17", &mapped)
	if !reflect.DeepEqual(h, mapped) {
		t.Errorf("host ::ffff:192.168.2.17 = %+v, want as 192.168.2.17: %+v", mapped, h)
	}
}

func TestAlertsAPI(t *testing.T) {
	e := newTestEnv(t)
	var all, high, byHost struct {
		Total int        `json:"total"`
		Rows  []alertRow `json:"rows"`
	}
	e.getJSON(t, "/api/alerts", &all)
	if all.Total != 6 {
		t.Errorf("alerts = %d, want 6", all.Total)
	}
	e.getJSON(t, "/api/alerts?severity=High", &high)
	if high.Total != 1 || high.Rows[0].Risk != "ssh_obsolete_client_version_or_cipher" {
		t.Errorf("High alerts = %+v, want the SSH client one", high.Rows)
	}
	e.getJSON(t, "/api/alerts?host=127.0.0.1&risk=known_protocol_on_non_standard_port", &byHost)
	if byHost.Total != 1 || byHost.Rows[0].FlowID == "" {
		t.Errorf("alerts for 127.0.0.1 = %+v, want one linked to its flow", byHost.Rows)
	}
	if rec := e.get(t, "/api/alerts?severity=Huge"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad severity: status %d, want 400", rec.Code)
	}
	if rec := e.get(t, "/api/alerts?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z"); rec.Code != http.StatusBadRequest {
		t.Errorf("from after to: status %d, want 400", rec.Code)
	}
	var stats statsBody
	e.getJSON(t, "/api/stats", &stats)
	if stats.Alerts != 6 || stats.ActiveFlows != len(e.flows) {
		t.Errorf("stats = %+v, want 6 alerts and %d flows", stats, len(e.flows))
	}
}

func TestHistoryAPI(t *testing.T) {
	e := newTestEnv(t)
	var p pageBody
	e.getJSON(t, `/api/history/flows?size=100&filter=`+urlQuery(`server_port = 22 or app = "MDNS"`), &p)
	if p.Total != 6 {
		t.Errorf("SSH or MDNS flows = %d, want 6", p.Total)
	}
	for _, r := range p.Rows {
		if r.Throughput != nil {
			t.Errorf("stored flow %s has throughput", r.Flow.ID)
		}
	}
	// A page past the end sends the last page: the sixth flow.
	var past pageBody
	e.getJSON(t, `/api/history/flows?size=5&page=9&sort=first_seen&filter=`+urlQuery(`server_port = 22 or app = "MDNS"`), &past)
	if past.Page != 2 || len(past.Rows) != 1 {
		t.Errorf("page 9 of 2: page %d with %d rows, want page 2 with 1 row", past.Page, len(past.Rows))
	}

	var top []TopEntry
	e.getJSON(t, "/api/history/top?field=server_country&n=3", &top)
	if len(top) == 0 || top[0].Value != "US" || top[0].Located {
		t.Errorf("top server countries = %+v, want US first, from the store", top)
	}
	var series struct {
		Buckets []TimeBucket `json:"buckets"`
	}
	e.getJSON(t, "/api/history/bytes?buckets=12", &series)
	var sum, want uint64
	for _, b := range series.Buckets {
		sum += b.Bytes
	}
	for i := range e.flows {
		want += totalBytes(&e.flows[i])
	}
	if len(series.Buckets) != 12 || sum != want {
		t.Errorf("bytes over time: %d buckets summing to %d, want 12 summing to %d", len(series.Buckets), sum, want)
	}

	rec := e.get(t, "/api/history/flows?filter="+urlQuery(`app = `))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "store:") {
		t.Errorf("bad filter: status %d body %s, want 400 with the store's message", rec.Code, rec.Body)
	}
	if rec := e.get(t, "/api/history/top?field=password"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad top field: status %d, want 400", rec.Code)
	}
}

// TestUnknownAPIAndFolders checks that a request no endpoint takes gets a
// JSON error, and that the static folders are not listed.
func TestUnknownAPIAndFolders(t *testing.T) {
	e := newTestEnv(t)
	for _, c := range []struct {
		method, url string
		status      int
	}{
		{http.MethodGet, "/api/nosuch", http.StatusNotFound},
		{http.MethodPost, "/api/stats", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/flows/active", http.StatusMethodNotAllowed},
	} {
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, httptest.NewRequest(c.method, c.url, nil))
		if rec.Code != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.url, rec.Code, c.status)
		}
		var body apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
			t.Errorf("%s %s: body %q, want a JSON error", c.method, c.url, rec.Body)
		}
	}
	for _, url := range []string{"/static/", "/static/js/", "/static/js", "/static/icons/"} {
		if rec := e.get(t, url); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404 and no listing:\n%s", url, rec.Code, rec.Body)
		}
	}
	if rec := e.get(t, "/static/js/common.js"); rec.Code != http.StatusOK {
		t.Errorf("GET /static/js/common.js: status %d, want 200", rec.Code)
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "%20", `"`, "%22", "=", "%3D")
	return r.Replace(s)
}

func TestExportCSV(t *testing.T) {
	e := newTestEnv(t)
	rec := e.get(t, "/api/history/export?format=csv&sort=first_seen&order=asc")
	if !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") {
		t.Errorf("Content-Disposition = %q", rec.Header().Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(e.flows)+1 {
		t.Fatalf("CSV rows = %d, want header + %d", len(rows), len(e.flows))
	}
	if rows[0][0] != "id" || rows[1][0] != e.flows[0].ID {
		t.Errorf("CSV starts %v / %v", rows[0][:3], rows[1][:3])
	}
}

func TestExportJSONLinesLimit(t *testing.T) {
	flows := loadFlows(t, "flows.jsonl")
	h, err := New(Config{ExportMaxRows: 7}, newFakeLive(nil), &fakeHistory{flows: flows}, newFakeAlerts(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/history/export?format=jsonl", nil))
	lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
	if len(lines) != 7 {
		t.Fatalf("JSON Lines = %d, want the 7-row cap", len(lines))
	}
	var f record.Flow
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil || f.ID == "" {
		t.Errorf("first line %q: %v", lines[0], err)
	}
}

func TestCSVFormulaEscaped(t *testing.T) {
	f := record.Flow{ID: "x", Info: "=HYPERLINK(\"http://x\")", App: "-cmd"}
	values := CSVRecord(&f)
	var buf strings.Builder
	w := csv.NewWriter(&buf)
	if err := w.Write(values); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if strings.Contains(buf.String(), ",=HYPERLINK") || strings.Contains(buf.String(), ",-cmd") {
		t.Errorf("CSV cell starts with a formula character: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "'=HYPERLINK") {
		t.Errorf("CSV lost the escaped value: %s", buf.String())
	}
}

func TestNewRequiresSources(t *testing.T) {
	if _, err := New(Config{}, nil, &fakeHistory{}, &fakeAlerts{}, nil); err == nil {
		t.Error("New without live source: error = nil")
	}
	if DefaultConfig().Listen != "127.0.0.1:3000" {
		t.Errorf("default Listen = %q", DefaultConfig().Listen)
	}
}

func TestHistorySpan(t *testing.T) {
	e := newTestEnv(t)
	first, last := e.flows[0].FirstSeen, e.flows[0].FirstSeen
	ssh := 0
	for _, f := range e.flows {
		if f.FirstSeen.Before(first) {
			first = f.FirstSeen
		}
		if f.FirstSeen.After(last) {
			last = f.FirstSeen
		}
		if f.App == "SSH" {
			ssh++
		}
	}
	var span storedSpan
	e.getJSON(t, "/api/history/span", &span)
	if span.First == nil || span.Last == nil || !span.First.Equal(first) || !span.Last.Equal(last) || span.Flows != len(e.flows) {
		t.Errorf("span = %+v, want %s to %s over %d flows", span, first, last, len(e.flows))
	}

	span = storedSpan{}
	e.getJSON(t, "/api/history/span?filter="+urlQuery(`app = "SSH"`), &span)
	if span.Flows != ssh || span.First == nil {
		t.Errorf("SSH span = %+v, want %d flows", span, ssh)
	}
	// An empty span leaves the times out rather than sending year 1.
	rec := e.get(t, "/api/history/span?filter="+urlQuery(`app = "none"`))
	if got := strings.TrimSpace(rec.Body.String()); got != `{"flows":0}` {
		t.Errorf("span without matches = %s, want {\"flows\":0}", got)
	}
}

// downHistory is a History whose store cannot be reached.
// countrylessHistory is a store that keeps no countries, as one that
// serve and import filled without --geoip.
type countrylessHistory struct{ fakeHistory }

func (h *countrylessHistory) Top(ctx context.Context, field, filter string, from, to time.Time, n int) ([]TopEntry, error) {
	if !strings.HasSuffix(field, "_country") {
		return h.fakeHistory.Top(ctx, field, filter, from, to, n)
	}
	all, err := h.fakeHistory.Top(ctx, "app", filter, from, to, 1000)
	empty := TopEntry{}
	for _, e := range all {
		empty.Bytes += e.Bytes
		empty.Flows += e.Flows
	}
	return []TopEntry{empty}, err
}

// TestTopCountriesWithoutStoredCountries checks that a store without
// countries gets countries located from its addresses, marked as such.
func TestTopCountriesWithoutStoredCountries(t *testing.T) {
	flows := loadFlows(t, "flows.jsonl")
	h, err := New(Config{Geo: fakeLocator{}, Risks: riskTable(testRisks)}, newFakeLive(flows), &countrylessHistory{fakeHistory{flows: flows}}, newFakeAlerts(flows), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{handler: h, flows: flows}
	var top []TopEntry
	e.getJSON(t, "/api/history/top?field=server_country&n=3", &top)
	if len(top) == 0 || top[0].Value != "US" {
		t.Fatalf("top server countries = %+v, want US first", top)
	}
	for _, c := range top {
		if !c.Located {
			t.Errorf("country %s not marked as located from addresses", c.Value)
		}
	}
}

type downHistory struct{ fakeHistory }

var errStoreDown = errors.New("dial tcp 127.0.0.1:9: connect: connection refused")

func (downHistory) Query(context.Context, HistoryQuery) ([]record.Flow, int, error) {
	return nil, 0, errStoreDown
}

func (downHistory) Top(context.Context, string, string, time.Time, time.Time, int) ([]TopEntry, error) {
	return nil, errStoreDown
}

func (downHistory) Flow(context.Context, string) (record.Flow, bool, error) {
	return record.Flow{}, false, errStoreDown
}

func TestHistoryStoreDownIs503(t *testing.T) {
	flows := loadFlows(t, "flows.jsonl")
	h, err := New(Config{Geo: fakeLocator{}, Risks: riskTable(testRisks)}, newFakeLive(flows), &downHistory{fakeHistory{flows: flows}}, newFakeAlerts(flows), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{handler: h, flows: flows}
	for _, url := range []string{"/api/history/flows", "/api/history/top?field=app", "/api/flows/not-active"} {
		rec := e.get(t, url)
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the store down: status %d, want 503", url, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "connection refused") {
			t.Errorf("GET %s with the store down: body %s, want the store's error", url, rec.Body)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2024-05-01", "2024-05-01T00:00:00", "2024-05-01T00:00:00Z", "2024-05-01T02:00:00+02:00", "1714521600"} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v in UTC", s, got, err, want)
		}
	}
	for _, s := range []string{"yesterday", "2024-13-01", "10000-01-01", "253402300800", "-62135596801", "1.5"} {
		if got, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", s, got)
		}
	}
}
