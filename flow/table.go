// Package flow keeps the flow table: it groups decoded packets into
// bidirectional flows, decides which endpoint is the client, counts
// packets and bytes per direction, runs DPI on the first packets, and
// closes flows on idle, active and TCP-close timeouts measured on packet
// time.
package flow

import (
	"math"
	"net/netip"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
)

// Stats are the table's counters.
type Stats struct {
	Packets uint64 // packets added to flows
	Bytes   uint64 // wire bytes of those packets
	Created uint64 // flows created
	Closed  uint64 // flows closed for any reason
	Evicted uint64 // flows closed early because the table was full
	Parked  uint64 // times an idle flow's inspection was ended by InspectIdle
	Frozen  uint64 // times an idle flow was written to the temporary file
	Thawed  uint64 // times a frozen flow was read back for a new packet
	// FreezeFailed counts flows that could not be frozen or read back.
	// The first failure of each kind is logged.
	FreezeFailed uint64
	Active       int // flows open now, frozen ones included
}

// Table is a flow table owned by one goroutine.
type Table struct {
	cfg    Config
	flows  map[Key]*Flow
	lists  [4]flowList // indexed by timeout class
	engine *dpi.Engine
	emit   func(*Flow)

	// IDs are idBase, idBase+idStep, ... so that several tables (one per
	// worker) never hand out the same flow ID.
	nextID, idStep uint64
	lastExpiry     int64
	stats          Stats

	// freeze, frozen and vault take idle flows out of memory (see
	// Config.FreezeIdle); blob and part are scratch space for one frozen
	// flow.
	freeze FreezeFunc
	frozen map[Key]frozenRef
	// frozenOrder is the eviction order of the frozen flows. Entries of
	// flows read back since are stale and skipped.
	frozenOrder frozenQueue
	vault       *vault
	blob, part  []byte
	// thawFailureLogged is set once a failure to read a flow back is
	// logged.
	thawFailureLogged bool
}

// Timeout classes, one list each.
const (
	classUDP = iota
	classTCP
	classClosing
	// classDone holds, in a table without timeouts (untimed), the flows
	// whose inspection is over, so that InspectIdle walks only the flows
	// still inspected and FreezeIdle only those that are not.
	classDone
)

// NewTable returns an empty table. engine may be nil to count flows without
// DPI. emit is called with every flow the table closes; the flow must not
// be kept after emit returns.
func NewTable(cfg Config, engine *dpi.Engine, emit func(*Flow)) *Table {
	return newTable(cfg, engine, emit, 1, 1)
}

func newTable(cfg Config, engine *dpi.Engine, emit func(*Flow), idBase, idStep uint64) *Table {
	if cfg.MaxFlows <= 0 {
		cfg.MaxFlows = DefaultConfig().MaxFlows
	}
	t := &Table{
		cfg:    cfg,
		flows:  make(map[Key]*Flow, 1024),
		engine: engine,
		emit:   emit,
		nextID: uint64(cfg.RunID)<<32 | idBase,
		idStep: idStep,
	}
	for c := range t.lists {
		t.lists[c].id = uint8(c + 1)
	}
	return t
}

// SetFreezer lets the table take idle flows out of memory through freeze,
// as Config.FreezeIdle describes.
func (t *Table) SetFreezer(freeze FreezeFunc) { t.freeze = freeze }

// Stats returns the table's counters.
func (t *Table) Stats() Stats {
	s := t.stats
	s.Active = len(t.flows) + len(t.frozen)
	return s
}

// Add accounts one decoded packet of wireLen bytes captured at ts
// (nanoseconds since the Unix epoch).
func (t *Table) Add(p *decode.Packet, wireLen int, ts int64) {
	key, srcIsLo := keyOf(p)
	t.AddKeyed(p, key, srcIsLo, wireLen, ts)
}

// AddKeyed is Add for a packet whose key KeyOf already returned.
func (t *Table) AddKeyed(p *decode.Packet, key Key, srcIsLo bool, wireLen int, ts int64) {
	if ts-t.lastExpiry >= 1e9 || ts < t.lastExpiry {
		t.Expire(ts)
	}
	f := t.flows[key]
	if f == nil && len(t.frozen) > 0 && !p.LaterFragment {
		f = t.thaw(key)
	}
	if p.LaterFragment {
		t.addLaterFragment(f, srcIsLo, p, ts)
		return
	}
	if f != nil && t.expired(f, ts) {
		t.close(f)
		f = nil
	}
	if f == nil {
		f = t.create(key, srcIsLo, p, ts)
	}
	dir := 0
	if srcIsLo != f.ClientIsLo {
		dir = 1
	}
	f.Packets[dir]++
	f.Bytes[dir] += uint64(wireLen)
	if ts > f.LastSeen {
		f.LastSeen = ts
	}
	t.stats.Packets++
	t.stats.Bytes += uint64(wireLen)
	if p.Protocol == decode.ProtoTCP {
		t.trackTCP(f, dir, p.TCPFlags)
	}
	inspect := f.DPI != nil && !f.DPI.Finished() && (!p.Fragment || p.Reassembled)
	unnamed := f.unnamed() && (!p.Fragment || p.Reassembled)
	f.notePayload(dir, p.Payload, inspect)
	if inspect {
		t.engine.Inspect(f.DPI, dpi.Direction(dir), p, ts)
	}
	if unnamed {
		f.judgeEntropy(p.Payload)
	}
	t.touch(t.classOf(f), f)
}

// addLaterFragment passes the reassembled payload of a datagram completed
// by a later fragment to DPI. Later fragments are not counted in the flow,
// as nDPI and ntopng count only the first fragment, which carries the
// transport header.
func (t *Table) addLaterFragment(f *Flow, srcIsLo bool, p *decode.Packet, ts int64) {
	if f == nil || !p.Reassembled || f.DPI == nil || f.DPI.Finished() {
		return
	}
	dir := dpi.ClientToServer
	if srcIsLo != f.ClientIsLo {
		dir = dpi.ServerToClient
	}
	t.engine.Inspect(f.DPI, dir, p, ts)
}

func (t *Table) create(key Key, srcIsLo bool, p *decode.Packet, ts int64) *Flow {
	if len(t.flows)+len(t.frozen) >= t.cfg.MaxFlows {
		t.evictOldest()
	}
	f := &Flow{
		Key:        key,
		ClientIsLo: srcIsLo,
		ID:         t.nextID,
		FirstSeen:  ts,
		LastSeen:   ts,
		IPVersion:  p.IPVersion,
		// TCP stacks send no segment without flags, but NULL scans do.
		firstFlagsNone: p.Protocol == decode.ProtoTCP && p.TCPFlags == 0,
	}
	t.nextID += t.idStep
	if t.senderIsServer(p) {
		f.ClientIsLo = !srcIsLo
	}
	if t.engine != nil {
		cip, cport := f.Client()
		sip, sport := f.Server()
		f.DPI = t.engine.NewFlow(key.Protocol, netip.AddrPortFrom(cip, cport), netip.AddrPortFrom(sip, sport))
	}
	t.flows[key] = f
	t.stats.Created++
	return f
}

// senderIsServer reports whether the first packet of a new flow came from
// its server: a SYN-ACK, or with the port heuristic a packet without SYN
// from a well-known port (below 1024) to an ephemeral one.
func (t *Table) senderIsServer(p *decode.Packet) bool {
	if p.Protocol == decode.ProtoTCP {
		const synAck = decode.TCPFlagSYN | decode.TCPFlagACK
		if p.TCPFlags&synAck == synAck {
			return true
		}
		if p.TCPFlags&decode.TCPFlagSYN != 0 {
			return false
		}
	}
	if !t.cfg.PortHeuristic || !hasPorts(p.Protocol) {
		return false
	}
	return p.SrcPort < 1024 && p.DstPort >= 1024
}

func (t *Table) trackTCP(f *Flow, dir int, flags uint8) {
	f.TCPFlags[dir] |= flags
	if flags&decode.TCPFlagRST != 0 {
		f.rstSeen = true
	}
	if flags&decode.TCPFlagFIN != 0 {
		f.finSeen[dir] = true
	}
}

func (t *Table) classOf(f *Flow) int {
	if t.untimed() && (f.thawed != nil || f.DPI.Finished()) {
		return classDone
	}
	if f.Key.Protocol != decode.ProtoTCP {
		return classUDP
	}
	if f.rstSeen || (f.finSeen[0] && f.finSeen[1]) {
		return classClosing
	}
	return classTCP
}

// deadline returns the packet time at which f expires.
func (t *Table) deadline(f *Flow) int64 {
	var idle int64
	switch t.classOf(f) {
	case classUDP:
		idle = int64(t.cfg.IdleTimeoutUDP)
	case classTCP:
		idle = int64(t.cfg.IdleTimeoutTCP)
	case classClosing:
		idle = int64(t.cfg.CloseLinger)
	}
	d := int64(math.MaxInt64)
	if idle > 0 {
		d = f.LastSeen + idle
	}
	if a := int64(t.cfg.ActiveTimeout); a > 0 && f.FirstSeen+a < d {
		d = f.FirstSeen + a
	}
	return d
}

func (t *Table) expired(f *Flow, now int64) bool { return now >= t.deadline(f) }

// Expire closes every flow whose timeout has passed at packet time now.
func (t *Table) Expire(now int64) {
	prev := t.lastExpiry
	t.lastExpiry = now
	for c := range t.lists {
		l := &t.lists[c]
		for l.head != nil && t.expired(l.head, now) {
			t.close(l.head)
		}
		if t.cfg.ActiveTimeout > 0 {
			t.expireActive(l, now)
		}
	}
	// A capture's clock can jump: one packet with a damaged timestamp far
	// ahead, then the rest where they were. Parking waits until a later
	// Expire agrees with the first, so one such packet parks nothing, even
	// when the pipeline's tick repeats its time.
	if t.parking() && prev < now && now-prev < int64(t.cfg.InspectIdle) {
		t.park(now)
	}
	// Freezing skips the expiries of packets older than the one before, or
	// a capture whose clock alternates between two times would freeze and
	// read back its flows of the other time at every packet.
	if t.freezing() && prev <= now {
		t.freezeIdle(now)
	}
}

// parking reports whether idle flows get parked: InspectIdle is set and no
// idle timeout would close them instead.
func (t *Table) parking() bool {
	return t.cfg.InspectIdle > 0 && t.untimed()
}

// untimed reports whether no idle timeout or close linger ends flows, and
// DPI runs.
func (t *Table) untimed() bool {
	c := &t.cfg
	return c.IdleTimeoutUDP == 0 && c.IdleTimeoutTCP == 0 && c.CloseLinger == 0 && t.engine != nil
}

// park ends the inspection of the flows idle for InspectIdle at packet time
// now and moves them to the list of flows done with inspection.
func (t *Table) park(now int64) {
	idle := int64(t.cfg.InspectIdle)
	for c := range classDone {
		l := &t.lists[c]
		for f := l.head; f != nil && f.LastSeen+idle <= now; f = l.head {
			if f.DPI != nil {
				t.engine.EndInspection(f.DPI)
			}
			t.touch(classDone, f)
			t.stats.Parked++
		}
	}
}

// expireActive closes the flows of l that outlived the active timeout. The
// list is ordered by last activity, not by start, so it is walked whole;
// this runs at most once a second of packet time.
func (t *Table) expireActive(l *flowList, now int64) {
	for f := l.head; f != nil; {
		next := f.next
		if now >= f.FirstSeen+int64(t.cfg.ActiveTimeout) {
			t.close(f)
		}
		f = next
	}
}

// evictOldest closes the least recently active flow, frozen ones included.
// Frozen flows left the head of the done list in turn, so the oldest of
// them is the head that list would have had they stayed.
func (t *Table) evictOldest() {
	var oldest *Flow
	for c := range classDone {
		if h := t.lists[c].head; h != nil && (oldest == nil || h.LastSeen < oldest.LastSeen) {
			oldest = h
		}
	}
	if e := t.frozenHead(); e != nil {
		if oldest == nil || e.lastSeen < oldest.LastSeen {
			t.evictFrozen(e)
			return
		}
	} else if h := t.lists[classDone].head; h != nil && (oldest == nil || h.LastSeen < oldest.LastSeen) {
		oldest = h
	}
	if oldest != nil {
		t.stats.Evicted++
		t.close(oldest)
	}
}

func (t *Table) close(f *Flow) {
	t.unlist(f)
	delete(t.flows, f.Key)
	t.finish(f)
}

// finish hands a flow that left the table to the DPI engine and the emit
// function.
func (t *Table) finish(f *Flow) {
	if f.DPI != nil {
		t.engine.Finish(f.DPI)
	}
	t.stats.Closed++
	if t.emit != nil {
		t.emit(f)
	}
}

// Flush closes every flow, as at the end of a capture file. It empties the
// map in one step, because a delete per flow took 7% of the closing time
// of a large capture. Frozen flows were emitted through the FreezeFunc and
// are only counted.
func (t *Table) Flush() {
	clear(t.flows)
	t.stats.Closed += uint64(len(t.frozen))
	t.frozen, t.frozenOrder = nil, frozenQueue{}
	if t.vault != nil {
		t.vault.close()
		t.vault = nil
	}
	for c := range t.lists {
		for t.lists[c].head != nil {
			f := t.lists[c].head
			t.unlist(f)
			t.finish(f)
		}
	}
}

// Each calls fn for every open flow in memory, for snapshots of the live
// view. fn must not keep f.
func (t *Table) Each(fn func(f *Flow)) {
	for c := range t.lists {
		for f := t.lists[c].head; f != nil; f = f.next {
			fn(f)
		}
	}
}

// NewShard returns a table for one of count workers; its flow IDs start at
// first and step by count, so that no two shards share an ID.
func NewShard(cfg Config, engine *dpi.Engine, emit func(*Flow), first, count uint64) *Table {
	return newTable(cfg, engine, emit, first, count)
}
