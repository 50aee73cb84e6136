package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium tab on a test server, recording the
// dialogs and uncaught exceptions its pages raise.
type browser struct {
	ctx  context.Context
	url  string
	shot string
	env  *testEnv

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserOn(t, newTestEnv(t))
}

// newBrowserOn opens a tab on a test server of env's handler.
func newBrowserOn(t *testing.T, env *testEnv) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser tests need Chromium at %s (apt-get install chromium): %v", chromiumPath, err)
	}
	ts := httptest.NewServer(env.handler)
	t.Cleanup(ts.Close)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })

	b := &browser{ctx: ctx, url: ts.URL, env: env, shot: os.Getenv("FLOWLENS_SCREENSHOTS")}
	if b.shot == "" {
		b.shot = t.TempDir()
	}
	if err := os.MkdirAll(b.shot, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", b.shot)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.watch()
	return b
}

// watch records dialogs, dismissing them so the page goes on, and
// uncaught exceptions.
func (b *browser) watch() {
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	exceptions := chromedp.Events(b.ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			text := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				text += " " + ev.ExceptionDetails.Exception.Description
			}
			b.mu.Lock()
			b.exceptions = append(b.exceptions, text)
			b.mu.Unlock()
		}
	}()
}

func (b *browser) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) open(t *testing.T, path, readySelector string) {
	t.Helper()
	b.do(t, chromedp.Navigate(b.url+path), chromedp.WaitVisible(chromedp.CSS(readySelector)))
}

// follow clicks a link and waits for the page it opens to load.
func (b *browser) follow(t *testing.T, selector string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(selector)))); err != nil {
		t.Fatalf("follow %s: %v", selector, err)
	}
}

// waitFor polls a JavaScript expression until it is true.
func (b *browser) waitFor(t *testing.T, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

func evalJS[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	if evalJS[bool](t, b, `document.body.innerText.includes('[object ')`) {
		t.Errorf("page %s shows an object as text", name)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shot, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkClean fails the test on any dialog or uncaught exception so far,
// and on an element printed as "[object ...]" in the current page.
func (b *browser) checkClean(t *testing.T) {
	t.Helper()
	if evalJS[bool](t, b, `document.body.innerText.includes('[object ')`) {
		t.Errorf("%s shows an object as text", evalJS[string](t, b, `location.pathname`))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		t.Errorf("pages opened dialogs: %q", b.dialogs)
	}
	if len(b.exceptions) > 0 {
		t.Errorf("pages threw exceptions: %q", b.exceptions)
	}
}

const rowsJS = `[...document.querySelectorAll('#flows tbody tr[data-id]')]`

func TestBrowserActiveFlows(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/", "#flows tbody tr[data-id]")
	b.waitFor(t, "25 rows", rowsJS+`.length === 25`)
	b.waitFor(t, "top bar counters", `document.querySelector('#topbar .flows b').textContent === '56'`)
	if evalJS[bool](t, b, `document.getElementById('signout') !== null`) {
		t.Errorf("top bar shows a sign-out button with login off")
	}
	b.screenshot(t, "active-flows")

	// Sort by application: the first click sorts descending.
	b.do(t, chromedp.Click(chromedp.CSS(`#flows th[data-sort="app"]`)))
	b.waitFor(t, "sort by app", `document.querySelector('#flows th[data-sort="app"]').classList.contains('sorted-desc')`)
	apps := evalJS[[]string](t, b, rowsJS+`.map((r) => r.children[1].textContent)`)
	if !slices.IsSortedFunc(apps, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("apps after sorting by application, descending: %q", apps)
	}

	// Filter by application from the dropdown.
	b.waitFor(t, "app list", `[...document.querySelectorAll('#app-filter option')].some((o) => o.value === 'SSH')`)
	b.do(t, chromedp.SetValue(chromedp.ID("app-filter"), "SSH"))
	evalJS[bool](t, b, `document.getElementById('app-filter').dispatchEvent(new Event('change'))`)
	b.waitFor(t, "SSH rows only", rowsJS+`.length === 2 && `+rowsJS+`.every((r) => r.children[1].textContent === 'SSH')`)
	if !strings.Contains(evalJS[string](t, b, `location.search`), "app=SSH") {
		t.Error("URL does not keep the application filter")
	}

	// Page size 10 over all applications.
	b.do(t, chromedp.SetValue(chromedp.ID("app-filter"), ""))
	evalJS[bool](t, b, `document.getElementById('app-filter').dispatchEvent(new Event('change'))`)
	b.do(t, chromedp.SetValue(chromedp.ID("page-size"), "10"))
	evalJS[bool](t, b, `document.getElementById('page-size').dispatchEvent(new Event('change'))`)
	b.waitFor(t, "10 rows", rowsJS+`.length === 10`)
	b.waitFor(t, "pager text", `document.querySelector('#pager .showing').textContent === 'Showing 1 to 10 of 56 rows'`)
	b.do(t, chromedp.Click(chromedp.CSS(`#pager button[data-page="2"]`)))
	b.waitFor(t, "page 2", `document.querySelector('#pager .showing').textContent === 'Showing 11 to 20 of 56 rows'`)

	// Follow an application to the hosts that use it.
	b.open(t, "/?app=SSH", `#flows a[href="/apps/SSH"]`)
	b.follow(t, `#flows a[href="/apps/SSH"]`)
	b.waitFor(t, "SSH hosts", `document.querySelectorAll('#app-hosts tbody tr').length === 3`)
	hosts := evalJS[[]string](t, b, `[...document.querySelectorAll('#app-hosts tbody tr td:first-child a')].map((a) => a.textContent)`)
	slices.Sort(hosts)
	if want := []string{"127.0.0.1", "172.16.238.1", "172.16.238.168"}; !slices.Equal(hosts, want) {
		t.Errorf("SSH hosts = %q, want %q", hosts, want)
	}
	b.screenshot(t, "app-hosts")

	// A port link lists the flows on that port.
	b.open(t, "/?port=22", "#flows tbody tr[data-id]")
	b.waitFor(t, "port 22 flows", rowsJS+`.length === 1`)
	b.checkClean(t)
}

func TestBrowserFlowDetails(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/?sort=bytes&order=desc&size=100&app=TLS.AppleiCloud", "#flows tbody tr[data-id]")
	id := evalJS[string](t, b, rowsJS+`.find((r) => r.querySelector('td.info').textContent === 'p26-keyvalueservice.icloud.com').dataset.id`)
	b.follow(t, `#flows tr[data-id="`+id+`"] a.lens`)
	b.waitFor(t, "TLS block", `document.getElementById('tls-block') !== null`)

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
	b.screenshot(t, "flow-details-tls")

	// An SSH flow with risks shows banners, HASSH and its issues.
	b.open(t, "/?app=SSH&port=22", "#flows tbody tr[data-id]")
	b.follow(t, `#flows tbody tr[data-id] a.lens`)
	b.waitFor(t, "SSH block", `document.getElementById('issues-block') !== null`)
	hassh := evalJS[string](t, b, `document.querySelector('#ssh-block dd[data-key="HASSH (client)"]').textContent`)
	if hassh != "21b457a327ce7a2d4fce5ef2c42400bd" {
		t.Errorf("HASSH = %q", hassh)
	}
	severities := evalJS[[]string](t, b, `[...document.querySelectorAll('#issues-block .sev')].map((s) => s.textContent)`)
	if len(severities) != 2 || severities[0] == "" {
		t.Errorf("issue severities = %q, want 2", severities)
	}
	b.screenshot(t, "flow-details-ssh")

	// DNS block order: query type, error code, query.
	typed := b.env.flows[len(b.env.flows)-1]
	if typed.DNS == nil || typed.DNS.QType == "" {
		t.Fatalf("last test flow %s is not the DNS flow with a query type", typed.ID)
	}
	b.open(t, "/flows/"+typed.ID, "#dns-block")
	keys := evalJS[[]string](t, b, `[...document.querySelectorAll('#dns-block dt')].map((d) => d.textContent)`)
	if len(keys) < 3 || !slices.Equal(keys[:3], []string{"Query type", "Error code", "Query"}) {
		t.Errorf("DNS block keys = %q, want Query type, Error code, Query first", keys)
	}
	b.screenshot(t, "flow-details-dns")
	b.checkClean(t)
}

func TestBrowserHostileSNIShownAsText(t *testing.T) {
	b := newBrowser(t)
	hostile := []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"}
	b.open(t, "/?size=100", "#flows tbody tr[data-id]")
	b.waitFor(t, "all rows", rowsJS+`.length === 56`)
	infos := evalJS[[]string](t, b, rowsJS+`.map((r) => r.querySelector('td.info').textContent)`)
	for _, h := range hostile {
		if !slices.Contains(infos, h) {
			t.Errorf("Active Flows does not show %q as text", h)
		}
	}
	if n := evalJS[int](t, b, `document.querySelectorAll('#flows img[src="x"], #flows script').length`); n != 0 {
		t.Errorf("hostile SNI became %d elements", n)
	}
	b.screenshot(t, "hostile-sni")

	id := evalJS[string](t, b, rowsJS+`.find((r) => r.querySelector('td.info').textContent === '<img src=x onerror=alert(1)>').dataset.id`)
	b.open(t, "/flows/"+id, "#tls-block")
	if sni := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="SNI"]').textContent`); sni != hostile[1] {
		t.Errorf("details SNI = %q, want %q", sni, hostile[1])
	}
	if n := evalJS[int](t, b, `document.querySelectorAll('main img[src="x"]').length`); n != 0 {
		t.Errorf("details page made %d img elements from the SNI", n)
	}
	// Give an onerror handler, had one been created, time to fire.
	b.do(t, chromedp.Sleep(500*time.Millisecond))
	b.checkClean(t)
}

func TestBrowserHostAndAlerts(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/hosts/192.168.2.17", "#flows tbody tr[data-id]")
	b.waitFor(t, "host summary", `document.querySelector('#host-summary dd') !== null`)
	rows := evalJS[[]string](t, b, rowsJS+`.map((r) => r.children[3].textContent + ' ' + r.children[4].textContent)`)
	for _, r := range rows {
		if !strings.Contains(r, "192.168.2.17") {
			t.Errorf("host page row %q does not involve 192.168.2.17", r)
		}
	}
	if evalJS[int](t, b, `document.querySelectorAll('#host-summary img[alt="Monitoring host"]').length`) != 1 {
		t.Error("host page lacks the monitoring host mark")
	}
	b.screenshot(t, "host")

	b.open(t, "/alerts", "#alerts tbody tr")
	b.waitFor(t, "6 alerts", `document.querySelectorAll('#alerts a.flow-link').length === 6`)
	b.screenshot(t, "alerts")
	b.follow(t, `#alerts a.flow-link`)
	b.waitFor(t, "flow from alert", `document.getElementById('issues-block') !== null`)
	b.checkClean(t)
}

func TestBrowserExplorer(t *testing.T) {
	b := newBrowser(t)
	const histRows = `[...document.querySelectorAll('#history-flows tbody tr[data-id]')]`
	b.open(t, "/explorer", "#history-flows tbody tr[data-id]")
	b.waitFor(t, "top apps", `document.querySelectorAll('#top-app tr').length > 0`)
	b.waitFor(t, "chart", `document.querySelector('#bytes-chart svg path.area') !== null`)
	b.screenshot(t, "explorer")

	// Click an application value to filter on it.
	app := evalJS[string](t, b, `document.querySelector('#history-flows span.click[data-field="app"]').textContent`)
	b.do(t, chromedp.Click(chromedp.CSS(`#history-flows span.click[data-field="app"]`)))
	b.waitFor(t, "one chip", `document.querySelectorAll('#chips .chip').length === 1`)
	want := `app = "` + app + `"`
	if got := evalJS[string](t, b, `document.getElementById('filter-text').textContent`); got != want {
		t.Errorf("filter text = %q, want %q", got, want)
	}
	b.waitFor(t, "filtered rows", histRows+`.length > 0 && `+histRows+`.every((r) => r.children[1].textContent === `+jsString(app)+`)`)

	// Negate the chip.
	b.do(t, chromedp.Click(chromedp.CSS(`#chips .chip button.negate`)))
	b.waitFor(t, "negated chip", `document.querySelector('#chips .chip').classList.contains('negated')`)
	if got := evalJS[string](t, b, `document.getElementById('filter-text').textContent`); got != "not "+want {
		t.Errorf("negated filter text = %q, want %q", got, "not "+want)
	}
	b.waitFor(t, "rows without the app", histRows+`.length > 0 && `+histRows+`.every((r) => r.children[1].textContent !== `+jsString(app)+`)`)

	// Add a second filter with "+", then switch the join to OR.
	b.do(t, chromedp.SetValue(chromedp.ID("add-field"), "server_port"), chromedp.SetValue(chromedp.ID("add-value"), "22"))
	b.do(t, chromedp.Click(chromedp.ID("add-filter")))
	b.waitFor(t, "two chips", `document.querySelectorAll('#chips .chip').length === 2`)
	b.do(t, chromedp.Click(chromedp.CSS(`#chips button.join`)))
	wantOr := "not " + want + " or server_port = 22"
	b.waitFor(t, "OR filter", `document.getElementById('filter-text').textContent === `+jsString(wantOr))
	csv := evalJS[string](t, b, `document.getElementById('download-csv').getAttribute('href')`)
	if !strings.HasPrefix(csv, "/api/history/export?") || !strings.Contains(csv, "format=csv") {
		t.Errorf("CSV link = %q", csv)
	}
	b.screenshot(t, "explorer-filtered")
	b.checkClean(t)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}
