package server

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/browsertest"

	"github.com/chromedp/chromedp"

	"github.com/flowlens/flowlens/store"
	"github.com/flowlens/flowlens/web"
)

func TestBrowserActiveFlows(t *testing.T) {
	b := newBrowser(t)
	total := b.env.liveCount(func(string, string) bool { return true })
	b.Open(t, "/", "#flows tbody tr[data-id]")
	b.WaitFor(t, "25 rows", rowsJS+`.length === 25`)
	b.WaitFor(t, "top bar flow count", `document.querySelector('#topbar .flows b').textContent === '`+strconv.Itoa(total)+`'`)
	if n := evalJS[int](t, b, `document.querySelectorAll('#flows .flag[title="US"]').length`); n == 0 {
		t.Error("no US flag beside Apple's servers in 17.0.0.0/8")
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
	const app = "TLS.AppleiCloud"
	want := b.env.liveCount(func(a, _ string) bool { return a == app })
	b.WaitFor(t, "app list", `[...document.querySelectorAll('#app-filter option')].some((o) => o.value === '`+app+`')`)
	b.Choose(t, "app-filter", app)
	b.WaitFor(t, app+" rows only", rowsJS+`.length === `+strconv.Itoa(want)+` && `+rowsJS+`.every((r) => r.children[1].textContent === '`+app+`')`)
	if !strings.Contains(evalJS[string](t, b, `location.search`), "app="+app) {
		t.Error("URL does not keep the application filter")
	}

	// Page size 10 over all applications.
	b.Choose(t, "app-filter", "")
	b.Choose(t, "page-size", "10")
	b.WaitFor(t, "10 rows", rowsJS+`.length === 10`)
	b.WaitFor(t, "pager text", `document.querySelector('#pager .showing').textContent === 'Showing 1 to 10 of `+strconv.Itoa(total)+` rows'`)
	b.Do(t, chromedp.Click(chromedp.CSS(`#pager button[data-page="2"]`)))
	b.WaitFor(t, "page 2", `document.querySelector('#pager .showing').textContent === 'Showing 11 to 20 of `+strconv.Itoa(total)+` rows'`)

	// Follow the application to the hosts that use it.
	b.Open(t, "/?app="+app, `#flows a[href="/apps/`+app+`"]`)
	b.Follow(t, `#flows a[href="/apps/`+app+`"]`)
	b.WaitFor(t, app+" hosts", `document.querySelectorAll('#app-hosts tbody tr td:first-child a').length > 1`)
	hosts := evalJS[[]string](t, b, `[...document.querySelectorAll('#app-hosts tbody tr td:first-child a')].map((a) => a.textContent)`)
	if !slices.Contains(hosts, monitoringHost) || !slices.Contains(hosts, "17.248.185.87") {
		t.Errorf("%s hosts = %q, want the iPhone %s and the server 17.248.185.87", app, hosts, monitoringHost)
	}
	b.Screenshot(t, "app-hosts")
	b.CheckClean(t)
}

// TestBrowserTLSDetailsInThreeClicks walks the README's path, well within
// three clicks. The demo opens on Active Flows, which lists the biggest
// flows first, and these are TLS. The lens icon in a row's Details column
// opens the flow's details with the TLS block on the first screen.
func TestBrowserTLSDetailsInThreeClicks(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/", "#flows tbody tr[data-id]")
	first := evalJS[string](t, b, rowsJS+`[0].children[1].textContent`)
	if !strings.HasPrefix(first, "TLS.") {
		t.Fatalf("the first row of Active Flows is %q, want a TLS flow", first)
	}
	if head := evalJS[string](t, b, `document.querySelector('#flows thead th').textContent`); head != "Details" {
		t.Errorf("the lens column is headed %q, want Details", head)
	}
	// The only click: the lens icon of the first row.
	b.Follow(t, `#flows tbody tr[data-id] a.lens`)
	b.WaitFor(t, "TLS block", `document.getElementById('tls-block') !== null`)
	if !evalJS[bool](t, b, `document.getElementById('tls-block').getBoundingClientRect().top < window.innerHeight`) {
		t.Error("the TLS block is below the first screen of the flow details")
	}
	sni := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="SNI"]').textContent`)
	ja3 := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="JA3"]').textContent`)
	if !strings.HasSuffix(sni, ".com") || len(ja3) != 32 {
		t.Errorf("TLS block: SNI %q, JA3 %q; want a host name and an MD5 hash", sni, ja3)
	}
	b.Screenshot(t, "three-clicks-tls")
	b.CheckClean(t)
}

func TestBrowserFlowDetails(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/?app=TLS.AppleiCloud", "#flows tbody tr[data-id]")
	id := evalJS[string](t, b, rowsJS+`.find((r) => r.querySelector('td.info').textContent === 'p26-keyvalueservice.icloud.com').dataset.id`)
	b.Follow(t, `#flows tr[data-id="`+id+`"] a.lens`)
	b.WaitFor(t, "TLS block", `document.getElementById('tls-block') !== null`)
	if sni := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="SNI"]').textContent`); sni != "p26-keyvalueservice.icloud.com" {
		t.Errorf("SNI = %q", sni)
	}
	ja3 := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="JA3"] a').href`)
	if ja3 != "https://sslbl.abuse.ch/ja3-fingerprints/6fa3244afc6bb6f9fad207b6b52af26b/" {
		t.Errorf("JA3 link = %q", ja3)
	}
	b.Screenshot(t, "flow-details-tls")

	b.Open(t, "/?app=HTTP.Apple", "#flows tbody tr[data-id]")
	b.Follow(t, `#flows tbody tr[data-id] a.lens`)
	b.WaitFor(t, "HTTP block", `document.getElementById('http-block') !== null`)
	if host := evalJS[string](t, b, `document.querySelector('#http-block').textContent`); !strings.Contains(host, "apple.com") {
		t.Errorf("HTTP block %q names no apple.com host", host)
	}
	b.Screenshot(t, "flow-details-http")

	b.Open(t, "/?app=DNS.AppleiCloud", "#flows tbody tr[data-id]")
	b.Follow(t, `#flows tbody tr[data-id] a.lens`)
	b.WaitFor(t, "DNS block", `document.getElementById('dns-block') !== null`)
	if q := evalJS[string](t, b, `document.querySelector('#dns-block dd[data-key="Query"]').textContent`); !strings.Contains(q, "icloud") {
		t.Errorf("DNS query = %q, want an icloud name", q)
	}
	b.Screenshot(t, "flow-details-dns")
	b.CheckClean(t)
}

func TestBrowserHostileSNIShownAsText(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/?size=100", "#flows tbody tr[data-id]")
	b.WaitFor(t, "hostile rows", rowsJS+`.filter((r) => r.querySelector('td.info').textContent.includes('alert(1)')).length === 2`)
	infos := evalJS[[]string](t, b, rowsJS+`.map((r) => r.querySelector('td.info').textContent)`)
	for _, h := range hostileSNIs {
		if !slices.Contains(infos, h) {
			t.Errorf("Active Flows does not show %q as text", h)
		}
	}
	if n := evalJS[int](t, b, `document.querySelectorAll('#flows img[src="x"], #flows script').length`); n != 0 {
		t.Errorf("hostile SNIs became %d elements", n)
	}
	b.Screenshot(t, "hostile-sni")

	id := evalJS[string](t, b, rowsJS+`.find((r) => r.querySelector('td.info').textContent === `+browsertest.JSString(hostileSNIs[0])+`).dataset.id`)
	b.Open(t, "/flows/"+id, "#tls-block")
	if sni := evalJS[string](t, b, `document.querySelector('#tls-block dd[data-key="SNI"]').textContent`); sni != hostileSNIs[0] {
		t.Errorf("details SNI = %q, want %q", sni, hostileSNIs[0])
	}
	if n := evalJS[int](t, b, `document.querySelectorAll('main script').length`); n != 0 {
		t.Errorf("details page made %d script elements from the SNI", n)
	}
	// Give a handler, had one been created, time to fire.
	b.Do(t, chromedp.Sleep(500*time.Millisecond))
	b.CheckClean(t)
}

func TestBrowserAlertsToFlow(t *testing.T) {
	b := newBrowser(t)
	_, total, err := AlertView{b.env.alerts.Log()}.Alerts(context.Background(), web.AlertQuery{Page: 1})
	if err != nil || total == 0 {
		t.Fatalf("alert log: %d alerts, %v; want some", total, err)
	}
	b.Open(t, "/alerts", "#alerts tbody tr")
	b.WaitFor(t, "every alert", `document.querySelectorAll('#alerts a.flow-link').length === `+strconv.Itoa(total))
	descriptions := evalJS[[]string](t, b, `[...document.querySelectorAll('#alerts td.issue')].map((td) => td.textContent)`)
	for _, d := range descriptions {
		if !strings.Contains(d, " ") {
			t.Errorf("alert issue %q has no description beside the risk name", d)
		}
	}
	b.Screenshot(t, "alerts")

	risk := evalJS[string](t, b, `document.querySelector('#alerts td.issue .risk-name').textContent`)
	description := evalJS[string](t, b, `document.querySelector('#alerts td.issue .description').textContent`)
	b.Follow(t, `#alerts a.flow-link`)
	b.WaitFor(t, "issues of the flow", `document.getElementById('issues-block') !== null`)
	text := evalJS[string](t, b, `document.getElementById('issues-block').textContent`)
	if !strings.Contains(text, risk) {
		t.Errorf("the alert's flow lists issues %q, without %s", text, risk)
	}
	if !strings.Contains(text, description) {
		t.Errorf("the alert's flow lists issues %q, without the alert's description %q", text, description)
	}
	b.Screenshot(t, "alert-flow")
	b.CheckClean(t)
}

func TestBrowserHostPage(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/hosts/"+monitoringHost, "#flows tbody tr[data-id]")
	b.WaitFor(t, "host summary", `document.querySelector('#host-summary dd') !== null`)
	if evalJS[int](t, b, `document.querySelectorAll('#host-summary img[alt="Monitoring host"]').length`) != 1 {
		t.Error("the host page lacks the monitoring host mark")
	}
	rows := evalJS[[]string](t, b, rowsJS+`.map((r) => r.children[3].textContent + ' ' + r.children[4].textContent)`)
	for _, r := range rows {
		if !strings.Contains(r, monitoringHost) {
			t.Errorf("host page row %q does not involve %s", r, monitoringHost)
		}
	}
	b.Screenshot(t, "host")

	b.Open(t, "/hosts/17.248.185.87", "#host-summary dd")
	if n := evalJS[int](t, b, `document.querySelectorAll('#host-summary .flag[title="US"]').length`); n != 1 {
		t.Errorf("host 17.248.185.87 shows %d US flags, want 1", n)
	}
	b.Screenshot(t, "host-remote")
	b.CheckClean(t)
}

func TestBrowserExplorerStoredFlows(t *testing.T) {
	b := newBrowser(t)
	stored, err := b.env.store.Count(context.Background(), store.Scope{})
	if err != nil || stored == 0 {
		t.Fatalf("store holds %d flows, %v; want the imported capture", stored, err)
	}
	const histRows = `[...document.querySelectorAll('#history-flows tbody tr[data-id]')]`

	// The capture's flows are from 2020, outside the default last hour.
	b.Open(t, "/explorer", "#show-stored")
	b.Screenshot(t, "explorer-empty")
	b.Do(t, chromedp.Click(chromedp.ID("show-stored")))
	b.WaitFor(t, "stored flows", histRows+`.length === 25`)
	if got := evalJS[string](t, b, `document.querySelector('.pager .showing').textContent`); got != "Showing 1 to 25 of "+strconv.FormatUint(stored, 10)+" rows" {
		t.Errorf("explorer pager = %q, want all %d stored flows", got, stored)
	}
	b.WaitFor(t, "top apps", `document.querySelectorAll('#top-app tr').length > 1`)
	b.WaitFor(t, "top countries", `document.querySelector('#top-server_country .flag[title="US"]') !== null`)
	b.WaitFor(t, "chart", `document.querySelector('#bytes-chart svg path.area') !== null`)
	b.Screenshot(t, "explorer")

	// Click an application value to filter on it.
	const app = "TLS.Apple"
	b.Do(t, chromedp.Click(chromedp.CSS(`#top-app span.click`)))
	b.WaitFor(t, "one chip", `document.querySelectorAll('#chips .chip').length === 1`)
	top := evalJS[string](t, b, `document.querySelector('#chips .chip-text').textContent`)
	if !strings.HasPrefix(top, `app = "TLS.Apple`) {
		t.Errorf("filter from the top application = %q, want an %s application", top, app)
	}
	b.WaitFor(t, "filtered rows", histRows+`.length > 0 && `+histRows+`.every((r) => r.children[1].textContent.startsWith('`+app+`'))`)
	b.Screenshot(t, "explorer-filtered")
	b.CheckClean(t)
}
