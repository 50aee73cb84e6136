package flow

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/record"
)

// Flow is one bidirectional flow in the table. Index 0 of the per-direction
// arrays is client to server, index 1 server to client.
type Flow struct {
	Key Key
	// ClientIsLo is set when the Lo endpoint of Key is the client.
	ClientIsLo bool
	// ID numbers the flow in creation order; with Config.RunID set it is
	// also unique across runs.
	ID uint64

	FirstSeen, LastSeen int64 // nanoseconds since the Unix epoch
	Packets             [2]uint64
	Bytes               [2]uint64
	TCPFlags            [2]uint8
	IPVersion           uint8
	// finSeen and rstSeen drive the early close of TCP flows.
	finSeen [2]bool
	rstSeen bool
	// firstFlagsNone is set when the flow's first packet was a TCP
	// segment without any flag.
	firstFlagsNone bool
	// list is the timeout class of the list holding the flow plus one, 0
	// while the flow is on none. It sits with the other small fields so
	// that the struct packs without padding.
	list uint8

	// payloadPackets counts the packets that carried transport payload.
	// It saturates rather than wraps.
	payloadPackets [2]uint32
	// entropy is the Shannon entropy, in bits per byte, of the payload
	// judged last: for ICMP the last message DPI inspected, for TCP and
	// UDP see judgeEntropy.
	entropy float32
	// entropyStage records how the packet behind entropy was judged.
	entropyStage uint8

	// DPI is the flow's inspection state and results; nil when DPI is off
	// or the flow was read back from the table's temporary file.
	DPI *dpi.Flow
	// thawed holds the DPI results of a flow read back from the table's
	// temporary file; nil otherwise.
	thawed *thawedDPI
	// gen counts the times the flow was read back; see Generation.
	gen uint32

	// rate holds the bytes seen at the last throughput sample.
	rate rateSample

	// prev and next link the flow into its timeout list.
	prev, next *Flow
}

// Generation tells apart the records of one flow that a FreezeFunc and the
// table's emit function receive: a record replaces any earlier one of the
// same flow ID with a lower generation.
func (f *Flow) Generation() uint32 { return f.gen }

// Client returns the client endpoint.
func (f *Flow) Client() (netip.Addr, uint16) {
	if f.ClientIsLo {
		return f.Key.LoAddr(), f.Key.LoPort
	}
	return f.Key.HiAddr(), f.Key.HiPort
}

// Server returns the server endpoint.
func (f *Flow) Server() (netip.Addr, uint16) {
	if f.ClientIsLo {
		return f.Key.HiAddr(), f.Key.HiPort
	}
	return f.Key.LoAddr(), f.Key.LoPort
}

// formatID prints a flow ID: 16 hex digits when it carries a run ID.
func formatID(id uint64) string {
	if id>>32 != 0 {
		return fmt.Sprintf("%016x", id)
	}
	return strconv.FormatUint(id, 10)
}

// hasPorts reports whether the protocol has ports in its flow key.
func hasPorts(proto uint8) bool {
	return proto == decode.ProtoTCP || proto == decode.ProtoUDP || proto == decode.ProtoSCTP
}

// L4Name returns the l4 value of the flow record for an IP protocol.
func L4Name(proto uint8) string {
	switch proto {
	case decode.ProtoTCP:
		return "TCP"
	case decode.ProtoUDP:
		return "UDP"
	case decode.ProtoICMP:
		return "ICMP"
	case decode.ProtoICMPv6:
		return "ICMPv6"
	case decode.ProtoSCTP:
		return "SCTP"
	}
	return strconv.Itoa(int(proto))
}

// Record builds the flow record of f. DPI results, when present, are
// copied in by the dpi stage through dpi.Flow.Fill.
func (f *Flow) Record() *record.Flow {
	cip, cport := f.Client()
	sip, sport := f.Server()
	r := &record.Flow{
		Schema:     record.SchemaVersion,
		ID:         formatID(f.ID),
		FirstSeen:  time.Unix(0, f.FirstSeen).UTC(),
		LastSeen:   time.Unix(0, f.LastSeen).UTC(),
		VLAN:       f.Key.VLAN,
		IPVersion:  int(f.IPVersion),
		L4:         L4Name(f.Key.Protocol),
		ClientIP:   cip.String(),
		ServerIP:   sip.String(),
		C2SPackets: f.Packets[0],
		C2SBytes:   f.Bytes[0],
		S2CPackets: f.Packets[1],
		S2CBytes:   f.Bytes[1],
		Risks:      []string{},
	}
	if hasPorts(f.Key.Protocol) {
		r.ClientPort, r.ServerPort = cport, sport
	}
	switch {
	case f.thawed != nil:
		f.thawed.fill(r)
	case f.DPI != nil:
		f.DPI.Fill(r)
	default:
		r.App, r.MasterProtocol, r.Confidence = "Unknown", "Unknown", "unknown"
	}
	f.packetRisks(r)
	return r
}
