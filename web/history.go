package web

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// historySorts are the sort keys the explorer offers; HistoryQuery.Sort
// passes them to the store unchanged.
var historySorts = []string{
	"first_seen", "last_seen", "app", "l4", "client_ip", "server_ip", "client_port", "server_port",
	"bytes", "duration", "info",
}

// topFields are the fields that /api/history/top ranks: those of the
// explorer's panels and the L7 names and fingerprints that scripts ask
// for.
var topFields = []string{"app", "master_protocol", "category", "l4", "client_ip", "server_ip", "server_country", "client_country",
	"client_port", "server_port", "tls.sni", "tls.ja3", "tls.ja3s", "tls.ja4", "dns.query", "http.host", "http.user_agent", "ssh.client_banner"}

// historyRange is the filter and time range every explorer request has.
type historyRange struct {
	filter   string
	from, to time.Time
}

// defaultHistorySpan is the explorer's time range when the request has none.
const defaultHistorySpan = time.Hour

func parseHistoryRange(r *http.Request, now time.Time) (historyRange, error) {
	hr := historyRange{filter: strings.TrimSpace(r.URL.Query().Get("filter"))}
	var err error
	if hr.from, err = timeParam(r, "from"); err != nil {
		return hr, err
	}
	if hr.to, err = timeParam(r, "to"); err != nil {
		return hr, err
	}
	if hr.to.IsZero() {
		hr.to = now
	}
	if hr.from.IsZero() {
		hr.from = hr.to.Add(-defaultHistorySpan)
	}
	if !hr.from.Before(hr.to) {
		return hr, &paramError{name: "from", value: hr.from.Format(time.RFC3339), want: "a time before to"}
	}
	return hr, nil
}

func parseHistoryQuery(r *http.Request, now time.Time) (HistoryQuery, error) {
	hr, err := parseHistoryRange(r, now)
	if err != nil {
		return HistoryQuery{}, err
	}
	q := HistoryQuery{Filter: hr.filter, From: hr.from, To: hr.to, Sort: r.URL.Query().Get("sort")}
	if q.Desc, err = descParam(r); err != nil {
		return HistoryQuery{}, err
	}
	if q.Sort == "" {
		q.Sort = "last_seen"
	}
	if !slices.Contains(historySorts, q.Sort) {
		return q, &paramError{name: "sort", value: q.Sort, want: "one of " + strings.Join(historySorts, ", ")}
	}
	if q.Page, err = intParam(r, "page", 1, 1<<30); err != nil {
		return q, err
	}
	q.Size, err = intParam(r, "size", 25, maxPageSize)
	return q, err
}

func (s *server) handleHistoryFlows(w http.ResponseWriter, r *http.Request) {
	q, err := parseHistoryQuery(r, time.Now())
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	flows, total, err := s.history.Query(r.Context(), q)
	if last := lastPage(q.Page, q.Size, total); err == nil && last != q.Page {
		// The page asked for is past the last one: send the last one.
		q.Page = last
		flows, total, err = s.history.Query(r.Context(), q)
	}
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	page := flowPage{Total: total, Page: q.Page, Size: q.Size, Rows: make([]flowRow, 0, len(flows))}
	for i := range flows {
		page.Rows = append(page.Rows, s.row(&flows[i], nil))
	}
	s.writeJSON(w, r, page)
}

func (s *server) handleHistoryTop(w http.ResponseWriter, r *http.Request) {
	hr, err := parseHistoryRange(r, time.Now())
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	field := r.URL.Query().Get("field")
	if !slices.Contains(topFields, field) {
		s.writeError(w, r, http.StatusBadRequest, (&paramError{name: "field", value: field, want: "one of " + strings.Join(topFields, ", ")}).Error())
		return
	}
	n, err := intParam(r, "n", 10, 100)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	top, err := s.topValues(r, field, hr, n)
	if ip, ok := strings.CutSuffix(field, "_country"); ok && err == nil && len(top) == 0 {
		top, err = s.topCountries(r, ip+"_ip", hr, n)
	}
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	if top == nil {
		top = []TopEntry{}
	}
	s.writeJSON(w, r, top)
}

func (s *server) handleHistoryBytes(w http.ResponseWriter, r *http.Request) {
	hr, err := parseHistoryRange(r, time.Now())
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	buckets, err := intParam(r, "buckets", 60, 1000)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	series, err := s.history.BytesOverTime(r.Context(), hr.filter, hr.from, hr.to, buckets)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	if series == nil {
		series = []TimeBucket{}
	}
	s.writeJSON(w, r, struct {
		From    time.Time    `json:"from"`
		To      time.Time    `json:"to"`
		Buckets []TimeBucket `json:"buckets"`
	}{hr.from, hr.to, series})
}
