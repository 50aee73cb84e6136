package web

import (
	"net/http"
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
			s.logger.Warn("web: read stored flow failed", "flow", id, "err", err)
			s.writeError(w, r, http.StatusInternalServerError, "reading flow "+id+" from the store failed: "+err.Error())
			return
		}
		if !ok {
			s.writeError(w, r, http.StatusNotFound, "flow "+id+" not found: it is neither active nor stored")
			return
		}
		d = flowDetail{flowRow: s.row(&f, nil)}
	}
	d.Risks = s.describeRisks(d.Flow.Risks)
	s.writeJSON(w, r, d)
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
