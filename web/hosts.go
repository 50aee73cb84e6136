package web

import (
	"cmp"
	"net/http"
	"net/netip"
	"slices"

	"github.com/flowlens/flowlens/geo"
)

// appCount is one entry of the application dropdown.
type appCount struct {
	App   string `json:"app"`
	Flows int    `json:"flows"`
	Bytes uint64 `json:"bytes"`
}

func (s *server) handleApps(w http.ResponseWriter, r *http.Request) {
	byApp := map[string]*appCount{}
	for _, a := range s.live.ActiveFlows(r.Context()) {
		c := byApp[a.Flow.App]
		if c == nil {
			c = &appCount{App: a.Flow.App}
			byApp[a.Flow.App] = c
		}
		c.Flows++
		c.Bytes += totalBytes(a.Flow)
	}
	apps := make([]appCount, 0, len(byApp))
	for _, c := range byApp {
		apps = append(apps, *c)
	}
	slices.SortFunc(apps, func(a, b appCount) int { return cmp.Compare(a.App, b.App) })
	s.writeJSON(w, r, apps)
}

// hostTraffic is one host's share of a set of flows.
type hostTraffic struct {
	IP       string       `json:"ip"`
	Geo      geo.Location `json:"geo"`
	Flows    int          `json:"flows"`
	Sent     uint64       `json:"bytes_sent"`
	Received uint64       `json:"bytes_received"`
	// AsClient and AsServer count the flows where the host was the
	// initiator or the responder.
	AsClient int `json:"as_client"`
	AsServer int `json:"as_server"`
}

// add counts one flow of the host.
func (h *hostTraffic) add(client bool, sent, received uint64) {
	h.Flows++
	if client {
		h.AsClient++
	} else {
		h.AsServer++
	}
	h.Sent += sent
	h.Received += received
}

// maxAppHosts caps the hosts listed for one application.
const maxAppHosts = 1000

func (s *server) handleAppHosts(w http.ResponseWriter, r *http.Request) {
	app := r.PathValue("app")
	byIP := map[string]*hostTraffic{}
	get := func(ip string) *hostTraffic {
		h := byIP[ip]
		if h == nil {
			h = &hostTraffic{IP: ip}
			byIP[ip] = h
		}
		return h
	}
	for _, a := range s.live.ActiveFlows(r.Context()) {
		f := a.Flow
		if f.App != app {
			continue
		}
		get(f.ClientIP).add(true, f.C2SBytes, f.S2CBytes)
		get(f.ServerIP).add(false, f.S2CBytes, f.C2SBytes)
	}

	hosts := make([]hostTraffic, 0, len(byIP))
	for _, h := range byIP {
		hosts = append(hosts, *h)
	}
	slices.SortFunc(hosts, func(a, b hostTraffic) int {
		if c := cmp.Compare(b.Sent+b.Received, a.Sent+a.Received); c != 0 {
			return c
		}
		return cmp.Compare(a.IP, b.IP)
	})
	total := len(hosts)
	hosts = hosts[:min(len(hosts), maxAppHosts)]
	for i := range hosts {
		addr, _ := netip.ParseAddr(hosts[i].IP)
		hosts[i].Geo = s.locate(addr)
	}
	s.writeJSON(w, r, struct {
		App   string        `json:"app"`
		Total int           `json:"total"`
		Hosts []hostTraffic `json:"hosts"`
	}{app, total, hosts})
}

// hostSummary is the JSON body of GET /api/hosts/{ip}.
type hostSummary struct {
	hostTraffic
	Apps []appCount `json:"apps"`
}

func (s *server) handleHost(w http.ResponseWriter, r *http.Request) {
	addr, err := netip.ParseAddr(r.PathValue("ip"))
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, (&paramError{name: "host", value: r.PathValue("ip"), want: "an IPv4 or IPv6 address"}).Error())
		return
	}
	// Records write IPv4 addresses in dotted form.
	addr = addr.Unmap()
	ip := addr.String()
	sum := hostSummary{hostTraffic: hostTraffic{IP: ip, Geo: s.locate(addr)}}
	byApp := map[string]*appCount{}
	for _, a := range s.live.ActiveFlows(r.Context()) {
		f := a.Flow
		switch ip {
		case f.ClientIP:
			sum.add(true, f.C2SBytes, f.S2CBytes)
		case f.ServerIP:
			sum.add(false, f.S2CBytes, f.C2SBytes)
		default:
			continue
		}
		c := byApp[f.App]
		if c == nil {
			c = &appCount{App: f.App}
			byApp[f.App] = c
		}
		c.Flows++
		c.Bytes += totalBytes(f)
	}
	sum.Apps = make([]appCount, 0, len(byApp))
	for _, c := range byApp {
		sum.Apps = append(sum.Apps, *c)
	}
	slices.SortFunc(sum.Apps, func(a, b appCount) int {
		if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
			return c
		}
		return cmp.Compare(a.App, b.App)
	})
	s.writeJSON(w, r, sum)
}
