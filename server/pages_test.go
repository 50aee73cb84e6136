package server

import (
	"context"
	"net/netip"
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

	// An HTTP request's info is its host and path.
	b.Open(t, "/?app=HTTP.Apple", "#flows tbody tr[data-id]")
	b.WaitFor(t, "HTTP info", rowsJS+`.some((r) => r.lastElementChild.textContent === 'captive.apple.com/hotspot-detect.html')`)
	b.Open(t, "/", "#flows tbody tr[data-id]")

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

	// The summary of an active flow is fetched again every refresh interval.
	b.WaitFor(t, "summary refresh", `performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/flows/`+id+`')).length >= 2`)
	if status := evalJS[string](t, b, `document.querySelector('#flow-summary dd[data-key="Status"]').textContent`); status != "active" {
		t.Errorf("status after a refresh = %q, want active", status)
	}

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

	// Countries are filters too, from the top list and from the "+" builder.
	b.WaitFor(t, "top US servers", `document.querySelector('#top-server_country span.click .flag[title="US"]') !== null`)
	b.Do(t, chromedp.Click(chromedp.CSS(`#top-server_country span.click`)))
	b.WaitFor(t, "country chip", `document.getElementById('filter-text').textContent.endsWith(' and server_country = "US"')`)
	b.WaitFor(t, "flows to US servers", histRows+`.length > 0 && `+histRows+`.every((r) => r.children[4].textContent.startsWith('17.'))`)
	fields := evalJS[[]string](t, b, `[...document.querySelectorAll('#add-field option')].map((o) => o.value)`)
	if !slices.Contains(fields, "client_country") || !slices.Contains(fields, "server_country") {
		t.Errorf("the filter builder offers %q, without client_country and server_country", fields)
	}
	b.CheckClean(t)
}

// TestBrowserEndpointFormat checks that endpoints are written as RFC 5952
// section 6 writes them: an IPv6 address in brackets before its port, and
// an address alone for a protocol without ports.
func TestBrowserEndpointFormat(t *testing.T) {
	b := newBrowser(t)
	const v6Client = "fe80::c42c:3ff:fe60:6a64"
	total := b.env.liveCount(func(string, string) bool { return true })
	b.Open(t, "/?size=100", "#flows tbody tr[data-id]")
	b.WaitFor(t, "every row", rowsJS+`.length === `+strconv.Itoa(total))
	endpoints := evalJS[[]string](t, b, rowsJS+`.map((r) => r.children[3].textContent + ' > ' + r.children[4].textContent)`)
	for _, want := range []string{
		"[" + v6Client + "]:5353 > [ff02::fb]:5353",
		"192.168.2.1:5353 > 224.0.0.251:5353",
		"192.168.2.17 > 192.168.2.1",
		"fe80::823:3f17:8298:a29c > ff02::2",
	} {
		if !slices.Contains(endpoints, want) {
			t.Errorf("Active Flows has no row %q among %q", want, endpoints)
		}
	}

	// The address and the port stay links of their own.
	row := rowsJS + `.find((r) => r.children[3].textContent === '[` + v6Client + `]:5353')`
	links := evalJS[[]string](t, b, `[...`+row+`.children[3].querySelectorAll('a')].map((a) => a.getAttribute('href'))`)
	if want := []string{"/hosts/fe80%3A%3Ac42c%3A3ff%3Afe60%3A6a64", "/?port=5353"}; !slices.Equal(links, want) {
		t.Errorf("links of the IPv6 client = %q, want %q", links, want)
	}

	// IGMP flows carry protocol number 2, which the table names.
	igmp := evalJS[[]string](t, b, rowsJS+`.filter((r) => r.children[2].textContent === 'IGMP').map((r) => r.children[2].querySelector('[title]').title)`)
	if !slices.Equal(igmp, []string{"IP protocol 2"}) {
		t.Errorf("IGMP rows' protocol tooltips = %q, want one \"IP protocol 2\"", igmp)
	}
	igmpID := evalJS[string](t, b, rowsJS+`.find((r) => r.children[2].textContent === 'IGMP').dataset.id`)
	b.Screenshot(t, "endpoints")

	id := evalJS[string](t, b, row+`.dataset.id`)
	b.Follow(t, `#flows tr[data-id="`+id+`"] a.lens`)
	b.WaitFor(t, "flow summary", `document.getElementById('flow-summary') !== null`)
	if got := evalJS[string](t, b, `document.querySelector('#flow-summary dd[data-key="Client"]').textContent`); got != "["+v6Client+"]:5353" {
		t.Errorf("details client = %q, want [%s]:5353", got, v6Client)
	}
	if got := evalJS[string](t, b, `document.querySelector('#flow-summary dd[data-key="Server"]').textContent`); got != "[ff02::fb]:5353Multicast" {
		t.Errorf("details server = %q, want [ff02::fb]:5353 marked Multicast", got)
	}
	b.Screenshot(t, "flow-details-ipv6")

	b.Open(t, "/flows/"+igmpID, "#flow-summary")
	if got := evalJS[string](t, b, `document.querySelector('#flow-summary dd[data-key="Protocol"]').textContent`); got != "IGMP / IPv4" {
		t.Errorf("details protocol of the IGMP flow = %q, want IGMP / IPv4", got)
	}
	if got := evalJS[string](t, b, `document.querySelector('#flow-summary dd[data-key="Protocol"] [title]').title`); got != "IP protocol 2" {
		t.Errorf("details protocol tooltip of the IGMP flow = %q, want IP protocol 2", got)
	}

	// The MDNS flows of the IPv6 client raise alerts.
	b.Open(t, "/alerts", "#alerts tbody tr")
	b.WaitFor(t, "IPv6 alert", `[...document.querySelectorAll('#alerts td')].some((td) => td.textContent === '[`+v6Client+`]:5353')`)
	b.CheckClean(t)
}

// showing returns the pager's text for rows first to last of total.
func showing(first, last, total int) string {
	return "Showing " + strconv.Itoa(first) + " to " + strconv.Itoa(last) + " of " + strconv.Itoa(total) + " rows"
}

const pagerJS = `document.querySelector('#pager .showing').textContent`

// TestBrowserPagerPastLastPage checks that a page past the last one shows
// the last page, and that a new sort or a removed port filter goes back to
// page 1.
func TestBrowserPagerPastLastPage(t *testing.T) {
	b := newBrowser(t)
	total := b.env.liveCount(func(string, string) bool { return true })
	last := (total + 9) / 10
	first := (last-1)*10 + 1
	b.Open(t, "/?page=99&size=10", "#flows tbody tr[data-id]")
	b.WaitFor(t, "last page", pagerJS+` === `+browsertest.JSString(showing(first, total, total)))
	if n := evalJS[int](t, b, rowsJS+`.length`); n != total-first+1 {
		t.Errorf("last page has %d rows, want %d", n, total-first+1)
	}
	if got := evalJS[string](t, b, `document.querySelector('#pager button.current').dataset.page`); got != strconv.Itoa(last) {
		t.Errorf("pager marks page %s, want %d", got, last)
	}
	if search := evalJS[string](t, b, `location.search`); !strings.Contains(search, "page="+strconv.Itoa(last)+"&") {
		t.Errorf("URL %q does not name page %d", search, last)
	}

	b.Do(t, chromedp.Click(chromedp.CSS(`#flows th[data-sort="app"]`)))
	b.WaitFor(t, "page 1 after sorting", pagerJS+` === `+browsertest.JSString(showing(1, 10, total)))

	// A size that is not in the Rows menu is added to it.
	b.Open(t, "/?port=5353&size=1&page=3", "#flows tbody tr[data-id]")
	b.WaitFor(t, "page 3 of port 5353", pagerJS+`.startsWith('Showing 3 to 3 of ')`)
	if size := evalJS[string](t, b, `document.getElementById('page-size').value`); size != "1" {
		t.Errorf("Rows menu shows %s for size=1", size)
	}
	b.Do(t, chromedp.Click(chromedp.CSS(`#port-filter button`)))
	b.WaitFor(t, "page 1 without the port filter", pagerJS+` === `+browsertest.JSString(showing(1, 1, total)))
	if search := evalJS[string](t, b, `location.search`); strings.Contains(search, "port=") || !strings.Contains(search, "page=1&") {
		t.Errorf("URL %q after removing the port filter, want page 1 and no port", search)
	}

	b.Open(t, "/?size=1000", "#flows tbody tr[data-id]")
	b.WaitFor(t, "every row", rowsJS+`.length === `+strconv.Itoa(total))
	if size := evalJS[string](t, b, `document.getElementById('page-size').value`); size != "1000" {
		t.Errorf("Rows menu shows %s for size=1000", size)
	}
	b.CheckClean(t)
}

// TestBrowserExplorerPageReset checks that the explorer goes back to page
// 1 when the sort, the time range or a filter chip changes.
func TestBrowserExplorerPageReset(t *testing.T) {
	b := newBrowser(t)
	stored, err := b.env.store.Count(context.Background(), store.Scope{})
	if err != nil || stored <= 50 {
		t.Fatalf("store holds %d flows, %v; want more than two pages of 25", stored, err)
	}
	const pager = `document.querySelector('.pager .showing').textContent`
	page1 := browsertest.JSString(showing(1, 25, int(stored)))
	// The chips and the pager are drawn anew after each response, so a
	// node found by chromedp.Click can be gone by the time it is clicked.
	// clickNow finds and clicks in one step.
	clickNow := func(selector string) {
		t.Helper()
		evalJS[bool](t, b, `(document.querySelector('`+selector+`').click(), true)`)
	}
	toPage2 := func() {
		t.Helper()
		clickNow(`.pager button[data-page="2"]`)
		b.WaitFor(t, "page 2", pager+`.startsWith('Showing 26 to ')`)
	}
	b.Open(t, "/explorer", "#show-stored")
	b.Do(t, chromedp.Click(chromedp.ID("show-stored")))
	b.WaitFor(t, "stored flows", pager+` === `+page1)

	toPage2()
	b.Do(t, chromedp.Click(chromedp.CSS(`#history-flows th[data-sort="app"]`)))
	b.WaitFor(t, "page 1 after sorting", pager+` === `+page1)

	toPage2()
	evalJS[bool](t, b, `document.getElementById('range-from').dispatchEvent(new Event('change'))`)
	b.WaitFor(t, "page 1 after a time range change", pager+` === `+page1)

	addFilter := func(field, op, value string) {
		t.Helper()
		b.Do(t, chromedp.SetValue(chromedp.ID("add-field"), field), chromedp.SetValue(chromedp.ID("add-op"), op),
			chromedp.SetValue(chromedp.ID("add-value"), value), chromedp.Click(chromedp.ID("add-filter")))
	}
	addFilter("bytes", ">", "0")
	b.WaitFor(t, "every flow has bytes", pager+` === `+page1)
	addFilter("l4", "=", "UDP")
	b.WaitFor(t, "UDP flows", `document.getElementById('filter-text').textContent === 'bytes > 0 and l4 = "UDP"'`)
	toPage2()
	clickNow(`#chips button.join`)
	b.WaitFor(t, "page 1 after AND becomes OR", pager+` === `+page1)

	toPage2()
	clickNow(`#chips .chip[data-index="1"] button.negate`)
	b.WaitFor(t, "page 1 after negating", pager+` === `+page1)

	toPage2()
	clickNow(`#chips .chip[data-index="1"] button.remove`)
	b.WaitFor(t, "page 1 after removing a chip", pager+` === `+page1+` && document.querySelectorAll('#chips .chip').length === 1`)
	b.CheckClean(t)
}

// TestBrowserCastFilter checks the Cast menu of Active Flows against the
// server addresses of the open flows, and the cast on the details page.
func TestBrowserCastFilter(t *testing.T) {
	b := newBrowser(t)
	broadcasts := []netip.Addr{netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("192.168.2.255")}
	total := b.env.liveCount(func(string, string) bool { return true })
	multicast := b.env.liveServerCount(netip.Addr.IsMulticast)
	broadcast := b.env.liveServerCount(func(a netip.Addr) bool { return slices.Contains(broadcasts, a) })
	if multicast == 0 || broadcast == 0 {
		t.Fatalf("the capture has %d multicast and %d broadcast flows, want some of each", multicast, broadcast)
	}
	const serverMarks = `.map((r) => [...r.children[4].querySelectorAll('img[src$="/multicast.svg"]')].map((i) => i.alt).join())`

	b.Open(t, "/?size=10&page=2", "#flows tbody tr[data-id]")
	b.WaitFor(t, "page 2", pagerJS+` === `+browsertest.JSString(showing(11, 20, total)))
	// Choose waits without a limit of its own for a missing menu.
	b.WaitFor(t, "cast menu", `document.getElementById('cast-filter') !== null`)
	b.Choose(t, "cast-filter", "multicast")
	b.WaitFor(t, "page 1 of multicast flows", pagerJS+` === `+browsertest.JSString(showing(1, min(10, multicast), multicast)))
	if search := evalJS[string](t, b, `location.search`); !strings.Contains(search, "cast=multicast") {
		t.Errorf("URL %q does not keep the cast filter", search)
	}

	b.Choose(t, "page-size", "100")
	b.WaitFor(t, "every multicast flow", rowsJS+`.length === `+strconv.Itoa(multicast))
	if marks := evalJS[[]string](t, b, rowsJS+serverMarks); slices.ContainsFunc(marks, func(m string) bool { return m != "Multicast" }) {
		t.Errorf("server marks of the multicast flows = %q, want Multicast on each", marks)
	}
	b.Screenshot(t, "cast-multicast")

	b.Choose(t, "cast-filter", "unicast")
	b.WaitFor(t, "every unicast flow", rowsJS+`.length === `+strconv.Itoa(total-multicast-broadcast))
	if marks := evalJS[[]string](t, b, rowsJS+serverMarks); slices.ContainsFunc(marks, func(m string) bool { return m != "" }) {
		t.Errorf("server marks of the unicast flows = %q, want none", marks)
	}

	// A reload keeps the cast filter.
	b.Open(t, "/?cast=broadcast&size=100", "#flows tbody tr[data-id]")
	b.WaitFor(t, "every broadcast flow", rowsJS+`.length === `+strconv.Itoa(broadcast))
	if got := evalJS[string](t, b, `document.getElementById('cast-filter').value`); got != "broadcast" {
		t.Errorf("cast menu shows %q for cast=broadcast", got)
	}
	servers := evalJS[[]string](t, b, rowsJS+`.map((r) => r.children[4].querySelector('a').textContent)`)
	for _, s := range servers {
		if !slices.Contains(broadcasts, netip.MustParseAddr(s)) {
			t.Errorf("broadcast flow to %s", s)
		}
	}
	if marks := evalJS[[]string](t, b, rowsJS+serverMarks); slices.ContainsFunc(marks, func(m string) bool { return m != "Broadcast" }) {
		t.Errorf("server marks of the broadcast flows = %q, want Broadcast on each", marks)
	}

	b.Follow(t, `#flows tbody tr[data-id] a.lens`)
	b.WaitFor(t, "flow summary", `document.getElementById('flow-summary') !== null`)
	if got := evalJS[string](t, b, `document.querySelector('#flow-summary dd[data-key="Server"]').textContent`); !strings.HasSuffix(got, "Broadcast") {
		t.Errorf("details server = %q, want it marked Broadcast", got)
	}
	b.CheckClean(t)
}
