package web

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/browsertest"

	"github.com/chromedp/chromedp"
)

// browser is a Chromium tab on a test server of env's handler.
type browser struct {
	*browsertest.Browser
	env *testEnv
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserOn(t, newTestEnv(t))
}

// newBrowserOn opens a tab on a test server of env's handler.
func newBrowserOn(t *testing.T, env *testEnv) *browser {
	t.Helper()
	ts := httptest.NewServer(env.handler)
	t.Cleanup(ts.Close)
	return &browser{Browser: browsertest.New(t, ts.URL, ""), env: env}
}

func evalJS[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	return browsertest.Eval[T](t, b.Browser, expr)
}

const rowsJS = `[...document.querySelectorAll('#flows tbody tr[data-id]')]`

func TestBrowserActiveFlows(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/", "#flows tbody tr[data-id]")
	b.WaitFor(t, "25 rows", rowsJS+`.length === 25`)
	b.WaitFor(t, "top bar counters", `document.querySelector('#topbar .flows b').textContent === '56'`)
	if evalJS[bool](t, b, `document.getElementById('signout') !== null`) {
		t.Errorf("top bar shows a sign-out button with login off")
	}
	b.Screenshot(t, "active-flows")

	// Sort by application: the first click sorts descending.
	b.Do(t, chromedp.Click(chromedp.CSS(`#flows th[data-sort="app"]`)))
	b.WaitFor(t, "sort by app", `document.querySelector('#flows th[data-sort="app"]').classList.contains('sorted-desc')`)
	apps := evalJS[[]string](t, b, rowsJS+`.map((r) => r.children[1].textContent)`)
	if !slices.IsSortedFunc(apps, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("apps after sorting by application, descending: %q", apps)
	}

	// Filter by application from the dropdown.
	b.WaitFor(t, "app list", `[...document.querySelectorAll('#app-filter option')].some((o) => o.value === 'SSH')`)
	b.Do(t, chromedp.SetValue(chromedp.ID("app-filter"), "SSH"))
	evalJS[bool](t, b, `document.getElementById('app-filter').dispatchEvent(new Event('change'))`)
	b.WaitFor(t, "SSH rows only", rowsJS+`.length === 2 && `+rowsJS+`.every((r) => r.children[1].textContent === 'SSH')`)
	if !strings.Contains(evalJS[string](t, b, `location.search`), "app=SSH") {
		t.Error("URL does not keep the application filter")
	}

	// Page size 10 over all applications.
	b.Do(t, chromedp.SetValue(chromedp.ID("app-filter"), ""))
	evalJS[bool](t, b, `document.getElementById('app-filter').dispatchEvent(new Event('change'))`)
	b.Do(t, chromedp.SetValue(chromedp.ID("page-size"), "10"))
	evalJS[bool](t, b, `document.getElementById('page-size').dispatchEvent(new Event('change'))`)
	b.WaitFor(t, "10 rows", rowsJS+`.length === 10`)
	b.WaitFor(t, "pager text", `document.querySelector('#pager .showing').textContent === 'Showing 1 to 10 of 56 rows'`)
	b.Do(t, chromedp.Click(chromedp.CSS(`#pager button[data-page="2"]`)))
	b.WaitFor(t, "page 2", `document.querySelector('#pager .showing').textContent === 'Showing 11 to 20 of 56 rows'`)

	// Follow an application to the hosts that use it.
	b.Open(t, "/?app=SSH", `#flows a[href="/apps/SSH"]`)
	b.Follow(t, `#flows a[href="/apps/SSH"]`)
	b.WaitFor(t, "SSH hosts", `document.querySelectorAll('#app-hosts tbody tr').length === 3`)
	hosts := evalJS[[]string](t, b, `[...document.querySelectorAll('#app-hosts tbody tr td:first-child a')].map((a) => a.textContent)`)
	slices.Sort(hosts)
	if want := []string{"127.0.0.1", "172.16.238.1", "172.16.238.168"}; !slices.Equal(hosts, want) {
		t.Errorf("SSH hosts = %q, want %q", hosts, want)
	}
	b.Screenshot(t, "app-hosts")

	// A port link lists the flows on that port.
	b.Open(t, "/?port=22", "#flows tbody tr[data-id]")
	b.WaitFor(t, "port 22 flows", rowsJS+`.length === 1`)
	b.CheckClean(t)
}

func TestBrowserFlowDetails(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/?sort=bytes&order=desc&size=100&app=TLS.AppleiCloud", "#flows tbody tr[data-id]")
	id := evalJS[string](t, b, rowsJS+`.find((r) => r.querySelector('td.info').textContent === 'p26-keyvalueservice.icloud.com').dataset.id`)
	b.Follow(t, `#flows tr[data-id="`+id+`"] a.lens`)
	b.WaitFor(t, "TLS block", `document.getElementById('tls-block') !== null`)

	sni := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="SNI"]').textContent`)
	if sni != "p26-keyvalueservice.icloud.com" {
		t.Errorf("SNI = %q", sni)
	}
	ja3Link := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="JA3"] a').href`)
	if ja3Link != "https://sslbl.abuse.ch/ja3-fingerprints/6fa3244afc6bb6f9fad207b6b52af26b/" {
		t.Errorf("JA3 link = %q", ja3Link)
	}
	if evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="Certificate issuer"]').textContent`) == "" {
		t.Error("certificate issuer missing")
	}
	b.Screenshot(t, "flow-details-tls")

	// An SSH flow with risks shows banners, HASSH and its issues.
	b.Open(t, "/?app=SSH&port=22", "#flows tbody tr[data-id]")
	b.Follow(t, `#flows tbody tr[data-id] a.lens`)
	b.WaitFor(t, "SSH block", `document.getElementById('issues-block') !== null`)
	hassh := evalJS[string](t, b, `document.querySelector('#ssh-block dd[data-key="HASSH (client)"]').textContent`)
	if hassh != "21b457a327ce7a2d4fce5ef2c42400bd" {
		t.Errorf("HASSH = %q", hassh)
	}
	severities := evalJS[[]string](t, b, `[...document.querySelectorAll('#issues-block .sev')].map((s) => s.textContent)`)
	if len(severities) != 2 || severities[0] == "" {
		t.Errorf("issue severities = %q, want 2", severities)
	}
	b.Screenshot(t, "flow-details-ssh")

	// DNS block order: query type, error code, query.
	typed := b.env.flows[len(b.env.flows)-1]
	if typed.DNS == nil || typed.DNS.QType == "" {
		t.Fatalf("last test flow %s is not the DNS flow with a query type", typed.ID)
	}
	b.Open(t, "/flows/"+typed.ID, "#dns-block")
	keys := evalJS[[]string](t, b, `[...document.querySelectorAll('#dns-block dt')].map((d) => d.textContent)`)
	if len(keys) < 3 || !slices.Equal(keys[:3], []string{"Query type", "Error code", "Query"}) {
		t.Errorf("DNS block keys = %q, want Query type, Error code, Query first", keys)
	}
	b.Screenshot(t, "flow-details-dns")
	b.CheckClean(t)
}

func TestBrowserHostileSNIShownAsText(t *testing.T) {
	b := newBrowser(t)
	hostile := []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"}
	b.Open(t, "/?size=100", "#flows tbody tr[data-id]")
	b.WaitFor(t, "all rows", rowsJS+`.length === 56`)
	infos := evalJS[[]string](t, b, rowsJS+`.map((r) => r.querySelector('td.info').textContent)`)
	for _, h := range hostile {
		if !slices.Contains(infos, h) {
			t.Errorf("Active Flows does not show %q as text", h)
		}
	}
	if n := evalJS[int](t, b, `document.querySelectorAll('#flows img[src="x"], #flows script').length`); n != 0 {
		t.Errorf("hostile SNI became %d elements", n)
	}
	b.Screenshot(t, "hostile-sni")

	id := evalJS[string](t, b, rowsJS+`.find((r) => r.querySelector('td.info').textContent === '<img src=x onerror=alert(1)>').dataset.id`)
	b.Open(t, "/flows/"+id, "#tls-block")
	if sni := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="SNI"]').textContent`); sni != hostile[1] {
		t.Errorf("details SNI = %q, want %q", sni, hostile[1])
	}
	if n := evalJS[int](t, b, `document.querySelectorAll('main img[src="x"]').length`); n != 0 {
		t.Errorf("details page made %d img elements from the SNI", n)
	}
	// Give an onerror handler, had one been created, time to fire.
	b.Do(t, chromedp.Sleep(500*time.Millisecond))
	b.CheckClean(t)
}

func TestBrowserHostAndAlerts(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/hosts/192.168.2.17", "#flows tbody tr[data-id]")
	b.WaitFor(t, "host summary", `document.querySelector('#host-summary dd') !== null`)
	rows := evalJS[[]string](t, b, rowsJS+`.map((r) => r.children[3].textContent + ' ' + r.children[4].textContent)`)
	for _, r := range rows {
		if !strings.Contains(r, "192.168.2.17") {
			t.Errorf("host page row %q does not involve 192.168.2.17", r)
		}
	}
	if evalJS[int](t, b, `document.querySelectorAll('#host-summary img[alt="Monitoring host"]').length`) != 1 {
		t.Error("host page lacks the monitoring host mark")
	}
	b.Screenshot(t, "host")

	b.Open(t, "/alerts", "#alerts tbody tr")
	b.WaitFor(t, "6 alerts", `document.querySelectorAll('#alerts a.flow-link').length === 6`)
	b.Screenshot(t, "alerts")
	b.Follow(t, `#alerts a.flow-link`)
	b.WaitFor(t, "flow from alert", `document.getElementById('issues-block') !== null`)
	b.CheckClean(t)
}

func TestBrowserExplorer(t *testing.T) {
	b := newBrowser(t)
	const histRows = `[...document.querySelectorAll('#history-flows tbody tr[data-id]')]`
	b.Open(t, "/explorer", "#history-flows tbody tr[data-id]")
	b.WaitFor(t, "top apps", `document.querySelectorAll('#top-app tr').length > 0`)
	b.WaitFor(t, "chart", `document.querySelector('#bytes-chart svg path.area') !== null`)
	b.Screenshot(t, "explorer")

	// Click an application value to filter on it.
	app := evalJS[string](t, b, `document.querySelector('#history-flows span.click[data-field="app"]').textContent`)
	b.Do(t, chromedp.Click(chromedp.CSS(`#history-flows span.click[data-field="app"]`)))
	b.WaitFor(t, "one chip", `document.querySelectorAll('#chips .chip').length === 1`)
	want := `app = "` + app + `"`
	if got := evalJS[string](t, b, `document.getElementById('filter-text').textContent`); got != want {
		t.Errorf("filter text = %q, want %q", got, want)
	}
	b.WaitFor(t, "filtered rows", histRows+`.length > 0 && `+histRows+`.every((r) => r.children[1].textContent === `+browsertest.JSString(app)+`)`)

	// Negate the chip.
	b.Do(t, chromedp.Click(chromedp.CSS(`#chips .chip button.negate`)))
	b.WaitFor(t, "negated chip", `document.querySelector('#chips .chip').classList.contains('negated')`)
	if got := evalJS[string](t, b, `document.getElementById('filter-text').textContent`); got != "not "+want {
		t.Errorf("negated filter text = %q, want %q", got, "not "+want)
	}
	b.WaitFor(t, "rows without the app", histRows+`.length > 0 && `+histRows+`.every((r) => r.children[1].textContent !== `+browsertest.JSString(app)+`)`)

	// Add a second filter with "+", then switch the join to OR.
	b.Do(t, chromedp.SetValue(chromedp.ID("add-field"), "server_port"), chromedp.SetValue(chromedp.ID("add-value"), "22"))
	b.Do(t, chromedp.Click(chromedp.ID("add-filter")))
	b.WaitFor(t, "two chips", `document.querySelectorAll('#chips .chip').length === 2`)
	b.Do(t, chromedp.Click(chromedp.CSS(`#chips button.join`)))
	wantOr := "not " + want + " or server_port = 22"
	b.WaitFor(t, "OR filter", `document.getElementById('filter-text').textContent === `+browsertest.JSString(wantOr))
	csv := evalJS[string](t, b, `document.getElementById('download-csv').getAttribute('href')`)
	if !strings.HasPrefix(csv, "/api/history/export?") || !strings.Contains(csv, "format=csv") {
		t.Errorf("CSV link = %q", csv)
	}
	b.Screenshot(t, "explorer-filtered")
	b.CheckClean(t)
}
