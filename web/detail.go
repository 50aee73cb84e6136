package web

import (
	"context"
	"net/http"
	"net/netip"

	"github.com/flowlens/flowlens/record"
)

// flowDetail is the JSON body of GET /api/flows/{id}.
type flowDetail struct {
	flowRow
	// Active is set when the flow is still in the live table.
	Active bool       `json:"active"`
	Risks  []RiskInfo `json:"risks"`
}

func (s *server) handleFlow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var d flowDetail
	if a, ok := s.live.ActiveFlow(r.Context(), id); ok {
		d = flowDetail{flowRow: s.activeRow(a), Active: true}
	} else {
		f, ok, err := s.history.Flow(r.Context(), id)
		if err != nil {
			s.backendError(w, r, err)
			return
		}
		if !ok {
			s.writeError(w, r, http.StatusNotFound, "flow "+id+" not found: it is neither active nor stored")
			return
		}
		d = flowDetail{flowRow: s.row(&f, nil)}
	}
	d.Risks = s.describeRisks(d.Flow.Risks)
	s.addAlertDescriptions(r.Context(), d.Flow, d.Risks)
	s.writeJSON(w, r, d)
}

// flowAlertScan caps the alerts of the flow's client that are searched for
// the flow's own alerts.
const flowAlertScan = 1000

// addAlertDescriptions copies into risks the descriptions of the alerts
// that this flow raised. Each description names what in the flow raised
// the risk.
func (s *server) addAlertDescriptions(ctx context.Context, f *record.Flow, risks []RiskInfo) {
	client, err := netip.ParseAddr(f.ClientIP)
	if err != nil || len(risks) == 0 {
		return
	}
	alerts, _, err := s.alerts.Alerts(ctx, AlertQuery{Host: client, Page: 1, Size: flowAlertScan})
	if err != nil {
		s.logger.Warn("web: read the alerts of a flow failed", "flow", f.ID, "err", err)
		return
	}
	for _, a := range alerts {
		if a.FlowID != f.ID || a.Description == "" {
			continue
		}
		for i := range risks {
			if risks[i].Name == a.Risk && risks[i].Description == "" {
				risks[i].Description = a.Description
			}
		}
	}
}

func (s *server) describeRisks(names []string) []RiskInfo {
	out := make([]RiskInfo, 0, len(names))
	for _, name := range names {
		info := RiskInfo{Name: name}
		if s.cfg.Risks != nil {
			if known, ok := s.cfg.Risks.Describe(name); ok {
				info = known
				info.Name = name
			}
		}
		out = append(out, info)
	}
	return out
}
