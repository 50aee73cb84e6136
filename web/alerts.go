package web

import (
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/flowlens/flowlens/geo"
)

// severities is nDPI's risk severity scale, lowest first.
var severities = []string{"Low", "Medium", "High", "Severe", "Critical", "Emergency"}

// alertRow is one alert with its endpoints located.
type alertRow struct {
	Alert
	ClientGeo geo.Location `json:"client_geo"`
	ServerGeo geo.Location `json:"server_geo"`
}

func parseAlertQuery(r *http.Request) (AlertQuery, error) {
	var q AlertQuery
	var err error
	if q.From, err = timeParam(r, "from"); err != nil {
		return q, err
	}
	if q.To, err = timeParam(r, "to"); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, &paramError{name: "from", value: q.From.Format(time.RFC3339), want: "a time before to"}
	}
	v := r.URL.Query()
	q.Severity, q.Risk = v.Get("severity"), v.Get("risk")
	if q.Severity != "" && !slices.Contains(severities, q.Severity) {
		return q, &paramError{name: "severity", value: q.Severity, want: "Low, Medium, High, Severe, Critical or Emergency"}
	}
	if h := v.Get("host"); h != "" {
		if q.Host, err = netip.ParseAddr(h); err != nil {
			return q, &paramError{name: "host", value: h, want: "an IPv4 or IPv6 address"}
		}
		q.Host = q.Host.Unmap()
	}
	if q.Page, err = intParam(r, "page", 1, 1<<30); err != nil {
		return q, err
	}
	q.Size, err = intParam(r, "size", 50, maxPageSize)
	return q, err
}

func (s *server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	q, err := parseAlertQuery(r)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	alerts, total, err := s.alerts.Alerts(r.Context(), q)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	rows := make([]alertRow, 0, len(alerts))
	for _, a := range alerts {
		client, _ := netip.ParseAddr(a.ClientIP)
		server, _ := netip.ParseAddr(a.ServerIP)
		rows = append(rows, alertRow{Alert: a, ClientGeo: s.locate(client), ServerGeo: s.locate(server)})
	}
	s.writeJSON(w, r, struct {
		Total int        `json:"total"`
		Page  int        `json:"page"`
		Size  int        `json:"size"`
		Rows  []alertRow `json:"rows"`
	}{total, q.Page, q.Size, rows})
}
