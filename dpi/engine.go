package dpi

import (
	"net/netip"
	"slices"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/record"
)

// Engine runs the dissectors over flows. One Engine is shared by the
// workers; it holds no per-flow state and is safe for concurrent use.
type Engine struct {
	cfg        Config
	dissectors []Dissector
	// byPort lists, per transport and port, the dissectors that usually
	// run there, as indexes into dissectors.
	byPort map[portKey][]int
}

// portHinter is implemented by dissectors that have usual ports.
type portHinter interface {
	Ports() (tcp, udp []uint16)
}

// NewEngine returns an engine with the dissectors of the registry.
func NewEngine(cfg Config) *Engine {
	if cfg.MaxPackets <= 0 {
		cfg.MaxPackets = DefaultConfig().MaxPackets
	}
	if cfg.StreamCap <= 0 {
		cfg.StreamCap = DefaultConfig().StreamCap
	}
	e := &Engine{cfg: cfg, dissectors: registry, byPort: map[portKey][]int{}}
	for i, d := range e.dissectors {
		h, ok := d.(portHinter)
		if !ok {
			continue
		}
		tcp, udp := h.Ports()
		for _, p := range tcp {
			k := portKey{decode.ProtoTCP, p}
			e.byPort[k] = append(e.byPort[k], i)
		}
		for _, p := range udp {
			k := portKey{decode.ProtoUDP, p}
			e.byPort[k] = append(e.byPort[k], i)
		}
	}
	return e
}

// NewFlow returns the inspection state of a new flow.
func (e *Engine) NewFlow(proto uint8, client, server netip.AddrPort) *Flow {
	f := &Flow{Protocol: proto, Client: client, Server: server, claimer: -1}
	if classifyByIPProtocol(f) {
		f.finished = true
		return f
	}
	f.inspection = &inspection{}
	return f
}

// Inspect offers one packet of f to the dissectors.
func (e *Engine) Inspect(f *Flow, dir Direction, p *decode.Packet, ts int64) {
	if f.finished {
		return
	}
	f.Seen++
	f.inspect()
	pkt := Packet{Dir: dir, Timestamp: ts, TCPFlags: p.TCPFlags, Payload: p.Payload}
	if f.Protocol == decode.ProtoTCP {
		pkt.Payload = f.streams[dir].add(p.Seq, p.TCPFlags, p.Payload, e.cfg.StreamCap)
	}
	if len(pkt.Payload) == 0 {
		return
	}
	f.Packets[dir]++
	if f.claimer >= 0 {
		e.runClaimer(f, &pkt)
	} else {
		e.tryAll(f, &pkt)
	}
	if f.Master != "" && f.App == "" && f.Host != "" && f.Host != f.resolvedHost {
		e.resolveHost(f)
	}
	if !f.finished && f.Packets[0]+f.Packets[1] >= e.cfg.MaxPackets {
		e.stop(f)
	}
}

func (e *Engine) runClaimer(f *Flow, p *Packet) {
	if e.dissectors[f.claimer].Inspect(f, p) == Done {
		e.stop(f)
	}
}

// tryAll offers the packet to every dissector still in the running: first
// those whose usual port is the flow's, then the rest in registry order.
func (e *Engine) tryAll(f *Flow, p *Packet) {
	hinted := e.byPort[portKey{f.Protocol, f.Server.Port()}]
	for _, i := range hinted {
		if e.try(f, p, i) {
			return
		}
	}
	for i := range e.dissectors {
		if contains(hinted, i) {
			continue
		}
		if e.try(f, p, i) {
			return
		}
	}
	if f.excluded.count() == len(e.dissectors) {
		e.stop(f)
	}
}

// try runs dissector i and reports whether it claimed the flow.
func (e *Engine) try(f *Flow, p *Packet, i int) bool {
	if f.excluded.has(i) {
		return false
	}
	switch e.dissectors[i].Inspect(f, p) {
	case NotMine:
		f.excluded.set(i)
		// An excluded dissector is not called again, so the state it kept
		// under its own name would only wait for the flow to close.
		f.deleteScratch(e.dissectors[i].Name())
	case Claimed:
		f.claimer = int32(i)
		return true
	case Done:
		f.claimer = int32(i)
		e.stop(f)
		return true
	}
	return false
}

// stop ends inspection of f and frees what only inspection needed.
func (e *Engine) stop(f *Flow) {
	f.finished = true
	f.inspection = nil
}

// EndInspection ends the inspection of f before the flow closes, as
// reaching the packet limit does, and frees its inspection state. Finish
// still settles the result when the flow closes.
func (e *Engine) EndInspection(f *Flow) {
	if !f.finished {
		e.stop(f)
	}
}

// Finish settles the flow's result when it closes: a port guess for flows
// nothing claimed, the service behind the host name, category and breed.
func (e *Engine) Finish(f *Flow) {
	if !f.finished {
		e.stop(f)
	}
	e.resolve(f)
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// bitset marks dissectors by index.
type bitset [4]uint64

func (b *bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b *bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b *bitset) count() int {
	n := 0
	for _, w := range b {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// inspect returns f's inspection state, creating it for a flow that was
// not made by NewFlow.
func (f *Flow) inspect() *inspection {
	if f.inspection == nil {
		f.inspection = &inspection{}
	}
	return f.inspection
}

// Finished reports whether inspection of f is over.
func (f *Flow) Finished() bool { return f.finished }

// Fill copies the flow's DPI results into its record.
func (f *Flow) Fill(r *record.Flow) {
	r.MasterProtocol, r.AppProtocol = f.Master, f.App
	r.App = f.Master
	if f.App != "" {
		r.App = f.Master + "." + f.App
	}
	r.Category, r.Breed, r.Confidence = categoryOf(f.Master, f.App), breedOf(f.Master, f.App), f.Confidence
	if f.category != "" {
		r.Category = f.category
	}
	if f.Master == "" {
		r.App, r.MasterProtocol, r.Confidence = "Unknown", "Unknown", "unknown"
	}
	r.Info = f.Info
	r.Risks = append([]string{}, f.Risks...)
	r.TLS, r.SSH, r.DNS, r.HTTP, r.DHCP = cloneTLS(f.TLS), cloneBlock(f.SSH), cloneDNS(f.DNS), cloneBlock(f.HTTP), cloneBlock(f.DHCP)
}

// cloneBlock copies a metadata block of scalar fields, or returns nil when
// the dissector started it but found nothing to put in it, so that the
// record leaves the block out instead of writing {}.
func cloneBlock[T comparable](v *T) *T {
	var zero T
	if v == nil || *v == zero {
		return nil
	}
	return clone(v)
}

// clone copies a metadata block, so that a record taken from an open flow
// does not change while the flow's dissector goes on filling it.
func clone[T any](v *T) *T {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

func cloneTLS(t *record.TLS) *record.TLS {
	c := clone(t)
	if c == nil {
		return nil
	}
	c.ClientVersions, c.ALPN = slices.Clone(t.ClientVersions), slices.Clone(t.ALPN)
	if t.Cert != nil {
		c.Cert = clone(t.Cert)
		c.Cert.SAN = slices.Clone(t.Cert.SAN)
	}
	return c
}

func cloneDNS(d *record.DNS) *record.DNS {
	c := clone(d)
	if c != nil {
		c.Answers = slices.Clone(d.Answers)
	}
	return c
}
