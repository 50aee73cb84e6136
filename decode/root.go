package decode

import "github.com/flowlens/flowlens/capture"

// Decoder decodes frames into Packets. It keeps fragment reassembly state
// and counters, so one Decoder serves one goroutine; give each worker its
// own.
type Decoder struct {
	cfg   Config
	stats Stats
	frags fragmentTable

	// now is the current frame's timestamp in nanoseconds.
	now int64
	// depth is the number of tunnel headers entered in the current frame.
	depth int
	// snapped is set when the current frame was cut by the snapshot length.
	snapped bool
}

// New returns a Decoder with cfg's limits (zero fields take defaults).
func New(cfg Config) *Decoder {
	cfg = cfg.withDefaults()
	d := &Decoder{cfg: cfg}
	d.frags.init(cfg)
	return d
}

// Decode parses data, a frame of the given link type captured at ts
// (nanoseconds since the Unix epoch), into p, and reports whether p holds
// an IP packet. On false, the frame was not IP or was malformed, and it was
// counted under a Reason in Stats. Decode does not allocate for frames
// that are not fragments.
//
// The flow key in p is the innermost IP header's. Decode follows IP-in-IP,
// IPv6-in-IP, GRE (with ERSPAN), VXLAN, Geneve, GTP-U, CAPWAP data and
// TZSP, up to Config.MaxTunnelDepth tunnels.
//
// Fragmented IPv4 and IPv6 datagrams are reassembled. Every fragment of a
// datagram yields a Packet with Fragment set and the datagram's key:
//   - the first fragment (offset 0) takes its ports from its own transport
//     header, and its Payload is the part of the transport payload it
//     carries;
//   - a later fragment takes the ports remembered from the first fragment
//     (by source, destination, protocol and IP id) and has no Payload;
//   - the frame that completes the datagram, whichever it is, carries the
//     whole reassembled transport payload in Payload;
//   - a later fragment that arrives before the first fragment is buffered,
//     but Decode returns false and counts ReasonFragmentWithoutFirst.
//
// Tunnels inside a fragmented datagram are not followed: its Packets are
// keyed on the IP header that was fragmented.
func (d *Decoder) Decode(data []byte, link capture.LinkType, ts int64, p *Packet) bool {
	return d.DecodeFrame(data, len(data), link, ts, p)
}

// DecodeFrame is Decode for a frame of wireLen bytes on the wire, of which
// data is the captured part. An IP header that claims more bytes than the
// frame carried is rejected unless Config.AcceptShortIP is set; one that
// only exceeds the captured part is decoded from what was captured.
func (d *Decoder) DecodeFrame(data []byte, wireLen int, link capture.LinkType, ts int64, p *Packet) bool {
	*p = Packet{}
	d.snapped = wireLen > len(data)
	d.now = ts
	d.depth = 0

	r := d.decodeLink(data, link, p)
	if r != reasonOK {
		d.stats.Rejected[r]++
		return false
	}
	d.stats.Decoded++
	return true
}

// rejectShort reports whether an IP packet longer than the captured bytes
// is rejected: when the frame was not cut by the snapshot length, its
// header lies about its length.
func (d *Decoder) rejectShort() bool { return !d.cfg.AcceptShortIP && !d.snapped }

// Stats returns a copy of the decoder's counters.
func (d *Decoder) Stats() Stats {
	return d.stats
}

// enterTunnel marks p as tunnelled and enforces the tunnel depth limit.
func (d *Decoder) enterTunnel(p *Packet) Reason {
	if d.depth >= d.cfg.MaxTunnelDepth {
		return ReasonTunnelTooDeep
	}
	d.depth++
	p.Tunnelled = true
	return reasonOK
}
