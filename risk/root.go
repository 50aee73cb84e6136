// Package risk judges a flow's issues (nDPI's flow risks) from its record,
// scores them, and keeps them as alerts.
//
// Dissectors record the issues only the packets show (a malformed message,
// a DNS error code); the Evaluator adds those it can judge from the
// finished record (certificates, versions, fingerprints on blocklists,
// ports, direction), applies the user's risk masks, and sets the score.
package risk

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/record"
)

// PortLookup returns a protocol's standard TCP and UDP ports by its name
// as nDPI spells it ("HTTP", "IMAPS").
type PortLookup func(protocol string) (tcp, udp []uint16, ok bool)

// Dependencies are what an Evaluator uses but does not own.
type Dependencies struct {
	// Rules are the user's nDPI rule files (JA3 and certificate
	// blocklists, risky domains, risk masks); nil for none.
	Rules *dpi.Rules
	// Ports returns standard ports; nil uses a small built-in table of
	// common protocols only.
	Ports PortLookup
	// Logger receives reload results; nil discards them.
	Logger *slog.Logger
	// HTTPClient downloads blocklists given by URL; nil uses a client
	// with the configured timeout.
	HTTPClient *http.Client
}

// Finding is one risk on a flow with a human description of its cause.
type Finding struct {
	Risk        string
	Description string
}

// Evaluator judges flow risks. It is safe for concurrent use: its
// configuration is fixed at New and its blocklists are swapped atomically
// by Reload.
type Evaluator struct {
	cfg      Config
	rules    *dpi.Rules
	ports    PortLookup
	log      *slog.Logger
	client   *http.Client
	disabled map[string]bool
	oneWay   map[string]bool
	anyPort  map[string]bool
	desktop  map[string]bool
	extra    map[string][]portSpec
	lists    atomic.Pointer[blocklists]
}

// New builds an Evaluator and loads its blocklists once; it fails when the
// configuration is invalid or a blocklist cannot be loaded.
func New(ctx context.Context, cfg Config, deps Dependencies) (*Evaluator, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Evaluator{
		cfg: cfg, rules: deps.Rules, ports: deps.Ports, log: deps.Logger, client: deps.HTTPClient,
		disabled: set(cfg.Disabled),
		oneWay:   set(cfg.UnidirectionalExempt),
		anyPort:  set(cfg.NonStandardPortExempt),
		desktop:  set(cfg.DesktopSharingApps),
		extra:    map[string][]portSpec{},
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.ports == nil {
		e.ports = builtinPorts
	}
	if e.client == nil {
		e.client = &http.Client{Timeout: time.Duration(cfg.Blocklists.Timeout)}
	}
	if !cfg.LowGoodput {
		e.disabled["low_goodput"] = true
	}
	for app, specs := range cfg.ExtraPorts {
		for _, s := range specs {
			proto, port, _ := parsePortSpec(s)
			e.extra[app] = append(e.extra[app], portSpec{proto, port})
		}
	}
	e.lists.Store(&blocklists{})
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func set(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// rule judges one family of risks from a record and reports each risk it
// finds through add.
type rule func(e *Evaluator, r *record.Flow, at time.Time, add addFunc)

type addFunc func(risk, description string)

// rules are run in this order; the order only affects the order of
// findings, not the record.
var rules = []rule{
	(*Evaluator).judgeFlow,
	(*Evaluator).judgeTLS,
	(*Evaluator).judgeCert,
	(*Evaluator).judgeHTTP,
	(*Evaluator).judgeDNS,
	(*Evaluator).judgeBlocklists,
}

// Evaluate adds to r.Risks the risks judged from the record, keeps the
// risks the dissectors put there, drops disabled and masked ones, sorts
// and deduplicates them, and sets r.RiskScore. at is the time the flow is
// judged at (its packet time, for certificate validity), never the wall
// clock; when zero, the flow's last packet time is used. It returns one
// finding per risk left on the flow.
func (e *Evaluator) Evaluate(r *record.Flow, at time.Time) []Finding {
	if at.IsZero() {
		at = r.LastSeen
	}
	found := map[string]string{}
	for _, name := range r.Risks {
		found[name] = ""
	}
	add := func(risk, description string) {
		if _, seen := found[risk]; !seen || found[risk] == "" {
			found[risk] = description
		}
	}
	for _, judge := range rules {
		judge(e, r, at, add)
	}

	keep := e.maskFor(r)
	names := make([]string, 0, len(found))
	for name := range found {
		if e.disabled[name] || !keep(name) {
			continue
		}
		names = append(names, name)
	}
	r.Risks = sortUnique(names)
	r.RiskScore = Score(r.Risks)

	findings := make([]Finding, len(r.Risks))
	for i, name := range r.Risks {
		findings[i] = Finding{Risk: name, Description: describe(name, found[name])}
	}
	return findings
}

// describe falls back to the risk's title for risks a dissector raised.
func describe(name, description string) string {
	if description != "" {
		return description
	}
	if in, ok := byName[name]; ok {
		return in.Title
	}
	return name
}

// maskFor returns whether a risk survives the ip_risk_mask and
// host_risk_mask rules of the user's protos.txt: like nDPI, the flow's
// risk bitmap is ANDed with the masks of its client address, its server
// address and its host name, each when a rule matches.
func (e *Evaluator) maskFor(r *record.Flow) func(string) bool {
	mask := ^uint64(0)
	for _, s := range []string{r.ClientIP, r.ServerIP} {
		if a, err := netip.ParseAddr(s); err == nil {
			if m, ok := e.rules.RiskMaskForIP(a); ok {
				mask &= m
			}
		}
	}
	if h := flowHost(r); h != "" {
		if m, ok := e.rules.RiskMaskForHost(h); ok {
			mask &= m
		}
	}
	return func(name string) bool {
		in, ok := byName[name]
		if !ok || in.Bit == 0 {
			return true
		}
		return mask&(1<<in.Bit) != 0
	}
}

// flowHost returns the host name the flow was for: SNI, HTTP Host or DNS
// query, else the info column.
func flowHost(r *record.Flow) string {
	switch {
	case r.TLS != nil && r.TLS.SNI != "":
		return r.TLS.SNI
	case r.HTTP != nil && r.HTTP.Host != "":
		return r.HTTP.Host
	case r.DNS != nil && r.DNS.Query != "":
		return r.DNS.Query
	}
	return r.Info
}
