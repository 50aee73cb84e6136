// Package pcapflows reads a capture file into bidirectional TCP and UDP
// flows for the dissector tests. It groups packets by their unordered
// 5-tuple, takes the sender of a flow's first packet as its client (as
// nDPI's reader does), and for TCP keeps only the bytes each segment adds
// to its direction's in-order stream.
//
// It is a test helper built on gopacket: the flowlens binary does not
// import it, and it favours simplicity over speed.
package pcapflows

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Direction of a packet relative to the flow's client.
const (
	ClientToServer = 0
	ServerToClient = 1
)

// Packet is one packet of a flow that carried payload.
type Packet struct {
	Dir int
	// Payload is the UDP payload, or the bytes a TCP segment added to its
	// direction's in-order stream.
	Payload []byte
}

// Flow is one bidirectional flow of a capture.
type Flow struct {
	// L4 is "TCP" or "UDP".
	L4             string
	Client, Server netip.AddrPort
	// SYN reports per direction whether the stream starts at a SYN.
	SYN     [2]bool
	Packets []Packet

	next    [2]uint32 // next expected sequence number per direction
	started [2]bool
	pending [2][]segment // segments that arrived ahead of a gap
}

type segment struct {
	seq     uint32
	payload []byte
}

// maxPending caps the out-of-order segments kept per direction.
const maxPending = 64

type flowKey struct {
	l4   string
	a, b netip.AddrPort
}

func keyOf(l4 string, src, dst netip.AddrPort) flowKey {
	if src.Compare(dst) < 0 {
		return flowKey{l4, src, dst}
	}
	return flowKey{l4, dst, src}
}

// Read returns the TCP and UDP flows of a pcap or pcapng file, in the order
// of their first packet.
func Read(path string) ([]*Flow, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pcapflows: %w", err)
	}
	defer file.Close()

	src, err := openSource(bufio.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("pcapflows: open capture %q: %w", path, err)
	}
	var flows []*Flow
	index := map[flowKey]*Flow{}
	for {
		data, ci, err := src.read()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return flows, nil
		}
		if err != nil {
			// A damaged record ends the capture as tcpdump would.
			return flows, nil
		}
		pkt := gopacket.NewPacket(data, src.linkType(ci.InterfaceIndex), gopacket.NoCopy)
		flows = addPacket(pkt, index, flows)
	}
}

// source hides the difference between the pcap and pcapng readers.
type source struct {
	pcap *pcapgo.Reader
	ng   *pcapgo.NgReader
}

func openSource(r *bufio.Reader) (*source, error) {
	magic, err := r.Peek(4)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		ng, err := pcapgo.NewNgReader(r, pcapgo.DefaultNgReaderOptions)
		return &source{ng: ng}, err
	}
	p, err := pcapgo.NewReader(r)
	return &source{pcap: p}, err
}

func (s *source) read() ([]byte, gopacket.CaptureInfo, error) {
	if s.ng != nil {
		return s.ng.ReadPacketData()
	}
	return s.pcap.ReadPacketData()
}

func (s *source) linkType(iface int) layers.LinkType {
	if s.pcap != nil {
		return s.pcap.LinkType()
	}
	if i, err := s.ng.Interface(iface); err == nil {
		return i.LinkType
	}
	return s.ng.LinkType()
}

// transport is the innermost IP and TCP or UDP header of a packet.
type transport struct {
	src, dst netip.Addr
	tcp      *layers.TCP
	udp      *layers.UDP
}

func innermost(pkt gopacket.Packet) (transport, bool) {
	var t transport
	for _, l := range pkt.Layers() {
		switch h := l.(type) {
		case *layers.IPv4:
			if h.FragOffset != 0 {
				return t, false
			}
			t.src, _ = netip.AddrFromSlice(h.SrcIP.To4())
			t.dst, _ = netip.AddrFromSlice(h.DstIP.To4())
			t.tcp, t.udp = nil, nil
		case *layers.IPv6:
			t.src, _ = netip.AddrFromSlice(h.SrcIP)
			t.dst, _ = netip.AddrFromSlice(h.DstIP)
			t.tcp, t.udp = nil, nil
		case *layers.TCP:
			t.tcp = h
		case *layers.UDP:
			t.udp = h
		}
	}
	return t, t.src.IsValid() && (t.tcp != nil || t.udp != nil)
}

func addPacket(pkt gopacket.Packet, index map[flowKey]*Flow, flows []*Flow) []*Flow {
	t, ok := innermost(pkt)
	if !ok {
		return flows
	}
	l4, srcPort, dstPort := "UDP", uint16(0), uint16(0)
	if t.tcp != nil {
		l4, srcPort, dstPort = "TCP", uint16(t.tcp.SrcPort), uint16(t.tcp.DstPort)
	} else {
		srcPort, dstPort = uint16(t.udp.SrcPort), uint16(t.udp.DstPort)
	}
	src := netip.AddrPortFrom(t.src, srcPort)
	dst := netip.AddrPortFrom(t.dst, dstPort)

	key := keyOf(l4, src, dst)
	f := index[key]
	if f == nil {
		f = &Flow{L4: l4, Client: src, Server: dst}
		index[key] = f
		flows = append(flows, f)
	}
	dir := ClientToServer
	if src != f.Client {
		dir = ServerToClient
	}
	if t.udp != nil {
		if len(t.udp.Payload) > 0 {
			f.Packets = append(f.Packets, Packet{dir, bytes.Clone(t.udp.Payload)})
		}
		return flows
	}
	f.addSegment(dir, t.tcp)
	return flows
}

// addSegment appends what a TCP segment adds to its direction's stream,
// then any held segments the new bytes make contiguous.
func (f *Flow) addSegment(dir int, tcp *layers.TCP) {
	seq, payload := tcp.Seq, tcp.Payload
	if tcp.SYN {
		f.next[dir], f.started[dir], f.SYN[dir] = seq+1, true, true
		return
	}
	if len(payload) == 0 {
		return
	}
	if !f.started[dir] {
		f.next[dir], f.started[dir] = seq, true
	}
	if !f.deliver(dir, seq, payload) && len(f.pending[dir]) < maxPending {
		f.pending[dir] = append(f.pending[dir], segment{seq, bytes.Clone(payload)})
		return
	}
	for f.drainPending(dir) {
	}
}

// deliver appends the new part of a segment that starts at or before the
// next expected byte, and reports false for a segment beyond a gap.
func (f *Flow) deliver(dir int, seq uint32, payload []byte) bool {
	ahead := int32(seq - f.next[dir])
	if ahead > 0 {
		return false
	}
	skip := int(-ahead)
	if skip >= len(payload) {
		return true // a retransmission
	}
	fresh := bytes.Clone(payload[skip:])
	f.Packets = append(f.Packets, Packet{dir, fresh})
	f.next[dir] += uint32(len(fresh))
	return true
}

func (f *Flow) drainPending(dir int) bool {
	for i, s := range f.pending[dir] {
		if f.deliver(dir, s.seq, s.payload) {
			f.pending[dir] = append(f.pending[dir][:i], f.pending[dir][i+1:]...)
			return true
		}
	}
	return false
}
