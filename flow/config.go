package flow

import "time"

// Config sets the flow table's timeouts and bounds. Timeouts run on packet
// time, so replaying a capture expires flows as the live network would. A
// zero timeout never fires.
type Config struct {
	// IdleTimeoutUDP closes a UDP, ICMP or other non-TCP flow after this
	// long without packets.
	IdleTimeoutUDP time.Duration
	// IdleTimeoutTCP closes a TCP flow that saw no FIN or RST after this
	// long without packets.
	IdleTimeoutTCP time.Duration
	// CloseLinger is how long a TCP flow stays open after a RST or after
	// FINs in both directions, to collect the last ACKs.
	CloseLinger time.Duration
	// ActiveTimeout, when non-zero, closes a flow that has lasted this
	// long even if it is still busy; the next packet starts a new flow.
	ActiveTimeout time.Duration
	// MaxFlows bounds the table, frozen flows (FreezeIdle) included. Past
	// it the least recently active flows are closed early and counted as
	// evicted.
	MaxFlows int
	// PortHeuristic corrects the client of a flow first seen mid-way
	// (no SYN) when the first packet goes from a well-known port to an
	// ephemeral one.
	PortHeuristic bool
	// InspectIdle, when non-zero and no idle timeout or close linger is
	// set, ends the DPI inspection of a flow that saw no packet for this
	// long and frees its inspection state, such as buffered TCP bytes. The
	// flow stays open and keeps counting, but its later packets are not
	// inspected. It bounds the memory of captures read as one flow per key
	// from first packet to last, where no timeout ever frees a flow.
	InspectIdle time.Duration
	// FreezeIdle applies when it is non-zero, no idle timeout or close
	// linger is set and the table has a FreezeFunc. A flow whose
	// inspection is over and that saw no packet for this long is then
	// written to a temporary file and taken out of memory. Its next
	// packet, if any, reads it back, so no result changes. Flows whose
	// inspection InspectIdle ends go at once. It bounds the memory of long
	// captures read with no timeout.
	FreezeIdle time.Duration
	// RunID, when non-zero, goes in the top 32 bits of every flow ID, so
	// that IDs from different runs or probes sharing a store never collide.
	// IDs with a run ID print as 16 hex digits, others in decimal.
	RunID uint32
}

// DefaultConfig returns the defaults: 60 s idle for UDP and ICMP, 180 s for
// TCP, 10 s after FIN or RST, no active timeout, one million flows, and
// where no idle timeout is set, inspection ended after 10 minutes idle and
// flows frozen after 1 minute idle once their inspection is over. On
// nDPI's test captures, 2 minutes changed the DNS result of two flows whose
// messages came minutes apart, and 10 minutes changed none.
func DefaultConfig() Config {
	return Config{
		IdleTimeoutUDP: 60 * time.Second,
		IdleTimeoutTCP: 180 * time.Second,
		CloseLinger:    10 * time.Second,
		InspectIdle:    10 * time.Minute,
		FreezeIdle:     time.Minute,
		MaxFlows:       1 << 20,
		PortHeuristic:  true,
	}
}
