// Package dpi identifies a flow's application by deep packet inspection and
// extracts the metadata of its handshakes (TLS, QUIC, SSH, DNS, HTTP, DHCP).
//
// Each protocol is one dissector in its own file. The engine offers the
// first packets of a flow to the dissectors in the registry, in order of
// likelihood, until one claims the flow.
package dpi

import (
	"net/netip"
	"slices"

	"github.com/flowlens/flowlens/record"
)

// Direction is the endpoint that sent a packet.
type Direction uint8

// Directions relative to the flow's client (its initiator).
const (
	ClientToServer Direction = 0
	ServerToClient Direction = 1
)

// Packet is the part of one packet of a flow that a dissector reads.
type Packet struct {
	Dir Direction
	// Payload is the UDP datagram's payload, or for TCP the bytes this
	// segment added to its direction's in-order stream (empty for a
	// retransmission or a segment that arrived ahead of a gap).
	Payload []byte
	// Timestamp is the capture time in nanoseconds since the Unix epoch.
	Timestamp int64
	// TCPFlags holds the segment's flags, 0 for other protocols.
	TCPFlags uint8
}

// Verdict is a dissector's decision on one packet.
type Verdict uint8

// Verdicts a dissector returns from Inspect.
const (
	// NeedMore means the flow may be this protocol: call again with the
	// next packet.
	NeedMore Verdict = iota
	// NotMine means the flow is not this protocol: do not call again.
	NotMine
	// Claimed means the flow is this protocol and the dissector wants more
	// packets for its metadata.
	Claimed
	// Done means the flow is this protocol and its metadata is complete.
	Done
)

// Dissector recognises one protocol (or a family of close protocols) and
// fills the flow's metadata. A dissector is shared by all flows; per-flow
// state lives in the Flow (see Scratch).
type Dissector interface {
	// Name is the protocol name as nDPI spells it (for example "TLS").
	Name() string
	// Inspect looks at one packet. It must not keep p.Payload, and must
	// read the payload through bounds-checked accessors so that it cannot
	// panic on any input; each dissector's fuzz target checks this.
	Inspect(f *Flow, p *Packet) Verdict
}

// Flow is a flow's DPI state and results, owned by one worker.
type Flow struct {
	// Protocol is the IP protocol number (6 for TCP, 17 for UDP, ...).
	Protocol uint8
	// Client and Server are the endpoints; ports are 0 where the
	// protocol has none.
	Client, Server netip.AddrPort

	// Packets counts the packets with payload offered per direction.
	Packets [2]int
	// Seen counts every packet the engine was offered while it inspected
	// the flow, with or without payload, as nDPI counts its packets.
	Seen int

	// Result of classification: Master is the transport or protocol
	// ("TLS", "DNS", "HTTP"), App the service on top ("YouTube"), if any.
	Master, App string
	// Confidence is the method that decided the result: "dpi", "port", "ip",
	// "guess" or "unknown" (the record's confidence field).
	Confidence string
	// Host is the best host name seen (SNI, HTTP Host, DNS query, ...),
	// used to find the service.
	Host string
	// Info is the one-line summary of the flow (the Additional Info column).
	Info string

	// Risks are the flow issues a dissector saw in the packets themselves
	// (a malformed message, a DNS error code), by nDPI's risk name in
	// snake case. The risk stage adds those it judges from the record.
	Risks []string

	TLS  *record.TLS
	SSH  *record.SSH
	DNS  *record.DNS
	HTTP *record.HTTP
	DHCP *record.DHCP

	// resolvedHost is the Host that the service was last looked up for.
	resolvedHost string
	// category, when set, overrides the application's category: a host
	// pattern or a user rule placed this flow's host in its own category.
	category string

	// claimer is the registry index of the dissector that claimed the
	// flow, -1 while none has.
	claimer  int32
	finished bool
	// inspection is the state that only inspection needs. It is nil once
	// inspection is over, so that a flow kept open to the end of a capture
	// holds only its results.
	*inspection
}

// inspection is the per-flow state that the engine and the dissectors need
// while they inspect a flow's packets.
type inspection struct {
	// streams holds the reassembled TCP bytes per direction.
	streams [2]stream
	// scratch holds the dissectors' per-flow state. A flow rarely has more
	// than two entries, and a slice of them takes 64 bytes where a map
	// took about 300.
	scratch  []scratchEntry
	excluded bitset
}

// Stream returns the in-order TCP bytes of one direction buffered so far,
// from the start of the connection up to the reassembly cap.
func (f *Flow) Stream(d Direction) []byte {
	if f.inspection == nil {
		return nil
	}
	return f.streams[d].buf
}

// StreamStart reports whether the stream of direction d begins at the start
// of the connection (its SYN was seen), so that offsets are protocol
// offsets rather than the middle of some message.
func (f *Flow) StreamStart(d Direction) bool {
	return f.inspection != nil && f.streams[d].fromSYN
}

// ReleaseStream frees the buffered bytes of direction d, for a dissector
// that has read what it needs from them. Stream(d) is empty from then on,
// and later segments of d reach the dissector only as Packet.Payload.
func (f *Flow) ReleaseStream(d Direction) {
	if f.inspection != nil {
		f.streams[d].release()
	}
}

// Scratch returns the dissector's per-flow state stored under key,
// creating a zero T on first use. Dissectors use their own name as key.
func Scratch[T any](f *Flow, key string) *T {
	if v := f.scratchValue(key); v != nil {
		return v.(*T)
	}
	t := new(T)
	f.setScratch(key, t)
	return t
}

// scratchEntry is one dissector's state in Flow.scratch.
type scratchEntry struct {
	key   string
	value any
}

// scratchValue returns the state stored under key, or nil.
func (f *Flow) scratchValue(key string) any {
	if f.inspection == nil {
		return nil
	}
	for i := range f.scratch {
		if f.scratch[i].key == key {
			return f.scratch[i].value
		}
	}
	return nil
}

// setScratch stores v under key, replacing what was there.
func (f *Flow) setScratch(key string, v any) {
	f.inspect()
	for i := range f.scratch {
		if f.scratch[i].key == key {
			f.scratch[i].value = v
			return
		}
	}
	if f.scratch == nil {
		f.scratch = make([]scratchEntry, 0, 2)
	}
	f.scratch = append(f.scratch, scratchEntry{key, v})
}

// deleteScratch removes the state stored under key, if any.
func (f *Flow) deleteScratch(key string) {
	if f.inspection == nil {
		return
	}
	for i := range f.scratch {
		if f.scratch[i].key == key {
			f.scratch = slices.Delete(f.scratch, i, i+1)
			return
		}
	}
}

// AddRisk records a flow issue seen in the packets, once.
func (f *Flow) AddRisk(name string) {
	for _, r := range f.Risks {
		if r == name {
			return
		}
	}
	f.Risks = append(f.Risks, name)
}

// SetResult records the flow's application as decided by DPI.
func (f *Flow) SetResult(master, app string) {
	f.Master, f.App, f.Confidence = master, app, "dpi"
}
