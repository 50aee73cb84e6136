package web

import (
	"cmp"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/record"
)

// maxPageSize caps the rows of one API page.
const maxPageSize = 1000

// activeQuery is the parsed query string of GET /api/flows/active.
type activeQuery struct {
	sort       string
	desc       bool
	page, size int
	app        string
	host       netip.Addr
	port       uint16
	hasPort    bool
	cast       string // "unicast", "multicast", "broadcast" or "" for all
}

// activeSorts maps each sort key of the Active Flows table to the function
// that fills an entry's sort key.
var activeSorts = map[string]func(e *activeEntry){
	"app":        func(e *activeEntry) { e.text = e.flow.App },
	"l4":         func(e *activeEntry) { e.text = e.flow.L4 },
	"client_ip":  func(e *activeEntry) { e.addr, _ = netip.ParseAddr(e.flow.ClientIP); e.num = float64(e.flow.ClientPort) },
	"server_ip":  func(e *activeEntry) { e.addr, _ = netip.ParseAddr(e.flow.ServerIP); e.num = float64(e.flow.ServerPort) },
	"duration":   func(e *activeEntry) { e.num = duration(e.flow) },
	"throughput": func(e *activeEntry) { e.num = e.throughput },
	"bytes":      func(e *activeEntry) { e.num = float64(totalBytes(e.flow)) },
	"info":       func(e *activeEntry) { e.text = e.flow.Info },
	"first_seen": func(e *activeEntry) { e.num = float64(e.flow.FirstSeen.UnixNano()) },
	"last_seen":  func(e *activeEntry) { e.num = float64(e.flow.LastSeen.UnixNano()) },
}

// activeEntry is a flow that passed the filters, with its sort key
// computed once so that comparisons neither parse nor call through the
// sort table. Keys compare by addr, then text, then num.
type activeEntry struct {
	flow       *record.Flow
	throughput float64
	addr       netip.Addr
	text       string
	num        float64
}

func compareEntries(a, b *activeEntry) int {
	if c := a.addr.Compare(b.addr); c != 0 {
		return c
	}
	if c := strings.Compare(a.text, b.text); c != 0 {
		return c
	}
	return cmp.Compare(a.num, b.num)
}

func parseActiveQuery(r *http.Request) (activeQuery, error) {
	q := r.URL.Query()
	aq := activeQuery{sort: q.Get("sort"), app: q.Get("app")}
	var err error
	if aq.desc, err = descParam(r); err != nil {
		return aq, err
	}
	if aq.sort == "" {
		aq.sort = "bytes"
	}
	if _, ok := activeSorts[aq.sort]; !ok {
		return aq, &paramError{name: "sort", value: aq.sort, want: "one of " + strings.Join(sortedKeys(activeSorts), ", ")}
	}
	if aq.page, err = intParam(r, "page", 1, 1<<30); err != nil {
		return aq, err
	}
	if aq.size, err = intParam(r, "size", 25, maxPageSize); err != nil {
		return aq, err
	}
	if v := q.Get("host"); v != "" {
		if aq.host, err = netip.ParseAddr(v); err != nil {
			return aq, &paramError{name: "host", value: v, want: "an IPv4 or IPv6 address"}
		}
		// Records write IPv4 addresses in dotted form.
		aq.host = aq.host.Unmap()
	}
	switch aq.cast = q.Get("cast"); aq.cast {
	case "", "unicast", "multicast", "broadcast":
	default:
		return aq, &paramError{name: "cast", value: aq.cast, want: "unicast, multicast or broadcast"}
	}
	if v := q.Get("port"); v != "" {
		p, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return aq, &paramError{name: "port", value: v, want: "a port number from 0 to 65535"}
		}
		aq.port, aq.hasPort = uint16(p), true
	}
	return aq, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// filter keeps the flows that match the app, host, port and cast filters.
func (aq *activeQuery) filter(flows []ActiveFlow) []activeEntry {
	var host string
	if aq.host.IsValid() {
		host = aq.host.String()
	}
	out := make([]activeEntry, 0, len(flows))
	for _, a := range flows {
		f := a.Flow
		if aq.app != "" && f.App != aq.app {
			continue
		}
		if host != "" && f.ClientIP != host && f.ServerIP != host {
			continue
		}
		if aq.hasPort && f.ClientPort != aq.port && f.ServerPort != aq.port {
			continue
		}
		if aq.cast != "" && !aq.castMatches(f) {
			continue
		}
		out = append(out, activeEntry{flow: f, throughput: a.Throughput})
	}
	return out
}

// castMatches reports whether the flow's server address is of the cast
// that the query selects.
func (aq *activeQuery) castMatches(f *record.Flow) bool {
	server, _ := netip.ParseAddr(f.ServerIP)
	cast := castOf(server)
	if cast == "" {
		cast = "unicast"
	}
	return cast == aq.cast
}

// sortEntries orders entries by the requested key, then by record ID so
// that rows keep their place between refreshes.
func (aq *activeQuery) sortEntries(entries []activeEntry) {
	setKey := activeSorts[aq.sort]
	for i := range entries {
		setKey(&entries[i])
	}
	slices.SortFunc(entries, func(a, b activeEntry) int {
		c := compareEntries(&a, &b)
		if aq.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.flow.ID, b.flow.ID)
	})
}

// lastPage returns page, or the last page that has rows when page is
// past it, so that a table whose flows ended shows its last rows. With no
// rows it returns 1.
func lastPage(page, size, total int) int {
	return max(min(page, (total+size-1)/size), 1)
}

// flowPage is the JSON body of the flow table endpoints. Page is the page
// sent, which is the last one when the request asked for a later one.
type flowPage struct {
	Total int       `json:"total"`
	Page  int       `json:"page"`
	Size  int       `json:"size"`
	Rows  []flowRow `json:"rows"`
}

func (s *server) handleActiveFlows(w http.ResponseWriter, r *http.Request) {
	aq, err := parseActiveQuery(r)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	entries := aq.filter(s.live.ActiveFlows(r.Context()))
	aq.sortEntries(entries)

	page := flowPage{Total: len(entries), Page: lastPage(aq.page, aq.size, len(entries)), Size: aq.size, Rows: []flowRow{}}
	start := (page.Page - 1) * aq.size
	end := min(start+aq.size, len(entries))
	for _, e := range entries[start:end] {
		page.Rows = append(page.Rows, s.activeRow(ActiveFlow{Flow: e.flow, Throughput: e.throughput}))
	}
	s.writeJSON(w, r, page)
}

// statsBody is the JSON body of GET /api/stats.
type statsBody struct {
	Stats
	Alerts    int   `json:"alerts"`
	RefreshMS int64 `json:"refresh_ms"`
}

func (s *server) handleStats(w http.ResponseWriter, r *http.Request) {
	body := statsBody{Stats: s.live.Stats(r.Context()), RefreshMS: s.cfg.Refresh.Milliseconds()}
	_, total, err := s.alerts.Alerts(r.Context(), AlertQuery{})
	if err != nil {
		s.logger.Warn("web: count alerts failed", "err", err)
		total = -1
	}
	body.Alerts = total
	s.writeJSON(w, r, body)
}
