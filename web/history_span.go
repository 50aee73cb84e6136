package web

import (
	"cmp"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// countryScan is how many top addresses a located country ranking sums.
// A country's bytes leave out its addresses beyond these.
const countryScan = 1000

// topValues ranks the values of field by bytes. Flows without a value,
// such as those without a country or an SNI, are left out.
func (s *server) topValues(r *http.Request, field string, hr historyRange, n int) ([]TopEntry, error) {
	// One more, in case the flows without a value are among the top.
	top, err := s.history.Top(r.Context(), field, hr.filter, hr.from, hr.to, n+1)
	if err != nil {
		return nil, err
	}
	top = slices.DeleteFunc(top, func(e TopEntry) bool { return e.Value == "" })
	return top[:min(n, len(top))], nil
}

// topCountries ranks the countries of the addresses in ipField, located
// with s.geo, by bytes, for flows that the store keeps without countries.
// Addresses without a country are left out.
func (s *server) topCountries(r *http.Request, ipField string, hr historyRange, n int) ([]TopEntry, error) {
	addrs, err := s.history.Top(r.Context(), ipField, hr.filter, hr.from, hr.to, countryScan)
	if err != nil {
		return nil, err
	}
	byCountry := map[string]*TopEntry{}
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a.Value)
		if err != nil {
			continue
		}
		country := s.geo.Locate(ip).Country
		if country == "" {
			continue
		}
		e := byCountry[country]
		if e == nil {
			e = &TopEntry{Value: country, Located: true}
			byCountry[country] = e
		}
		e.Bytes += a.Bytes
		e.Flows += a.Flows
	}
	top := make([]TopEntry, 0, len(byCountry))
	for _, e := range byCountry {
		top = append(top, *e)
	}
	slices.SortFunc(top, func(a, b TopEntry) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Value, b.Value))
	})
	return top[:min(n, len(top))], nil
}

// storedSpan is the JSON body of GET /api/history/span: the first_seen
// of the oldest and the newest stored flow matching the filter, both left
// out when none matches.
type storedSpan struct {
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
	Flows int        `json:"flows"`
}

// handleHistorySpan lets the explorer offer the time range that holds the
// stored flows, since the flows of a replayed capture carry its old
// timestamps and fall outside "last hour".
func (s *server) handleHistorySpan(w http.ResponseWriter, r *http.Request) {
	q := HistoryQuery{Filter: strings.TrimSpace(r.URL.Query().Get("filter")), From: time.Unix(0, 0).UTC(),
		To: time.Now().Add(24 * time.Hour), Sort: "first_seen", Page: 1, Size: 1}
	var span storedSpan
	newest, total, err := s.history.Query(r.Context(), HistoryQuery{Desc: true, Filter: q.Filter, From: q.From, To: q.To, Sort: q.Sort, Page: 1, Size: 1})
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	oldest, _, err := s.history.Query(r.Context(), q)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	if len(newest) > 0 && len(oldest) > 0 {
		span = storedSpan{First: &oldest[0].FirstSeen, Last: &newest[0].FirstSeen, Flows: total}
	}
	s.writeJSON(w, r, span)
}
