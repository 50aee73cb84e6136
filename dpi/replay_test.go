package dpi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// replayPacket is one TCP or UDP packet of a capture, keyed on its
// innermost IP header.
type replayPacket struct {
	src, dst netip.AddrPort
	proto    uint8
	seq      uint32
	syn      bool
	payload  []byte
}

// readCapture returns the TCP and UDP packets of a pcap or pcapng file.
func readCapture(path string) ([]replayPacket, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	type source interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	var src source
	var link layers.LinkType
	if r, err := pcapgo.NewReader(bytes.NewReader(data)); err == nil {
		src, link = r, r.LinkType()
	} else if r, err := pcapgo.NewNgReader(bufio.NewReader(bytes.NewReader(data)), pcapgo.DefaultNgReaderOptions); err == nil {
		src, link = r, r.LinkType()
	} else {
		return nil, err
	}
	var out []replayPacket
	for {
		frame, _, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, nil // a truncated last record ends the capture
		}
		if p, ok := decodeReplayPacket(frame, link); ok {
			out = append(out, p)
		}
	}
}

// decodeReplayPacket keeps the innermost IP header that carries TCP or UDP.
func decodeReplayPacket(frame []byte, link layers.LinkType) (replayPacket, bool) {
	pkt := gopacket.NewPacket(frame, link, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	var p replayPacket
	var src, dst netip.Addr
	found := false
	for _, l := range pkt.Layers() {
		switch l := l.(type) {
		case *layers.IPv4:
			if l.Flags&layers.IPv4MoreFragments != 0 || l.FragOffset != 0 {
				return p, false
			}
			src, _ = netip.AddrFromSlice(l.SrcIP.To4())
			dst, _ = netip.AddrFromSlice(l.DstIP.To4())
		case *layers.IPv6:
			src, _ = netip.AddrFromSlice(l.SrcIP)
			dst, _ = netip.AddrFromSlice(l.DstIP)
		case *layers.TCP:
			p = replayPacket{src: netip.AddrPortFrom(src, uint16(l.SrcPort)), dst: netip.AddrPortFrom(dst, uint16(l.DstPort)),
				proto: 6, seq: l.Seq, syn: l.SYN, payload: l.Payload}
			found = src.IsValid()
		case *layers.UDP:
			p = replayPacket{src: netip.AddrPortFrom(src, uint16(l.SrcPort)), dst: netip.AddrPortFrom(dst, uint16(l.DstPort)),
				proto: 17, payload: l.Payload}
			found = src.IsValid()
		}
	}
	return p, found
}

// replayKey is a flow's unordered endpoint pair.
type replayKey struct {
	proto uint8
	a, b  netip.AddrPort
}

func keyOf(p replayPacket) replayKey {
	a, b := p.src, p.dst
	if b.Compare(a) < 0 {
		a, b = b, a
	}
	return replayKey{p.proto, a, b}
}

// replayStream is a test-only in-order TCP reassembler for one direction.
type replayStream struct {
	started bool
	next    uint32
	pending map[uint32][]byte
}

const replayStreamCap = 256 << 10

// add appends to buf the bytes p adds to the in-order stream.
func (s *replayStream) add(p replayPacket, buf []byte) []byte {
	if p.syn {
		s.started, s.next = true, p.seq+1
		return buf
	}
	if len(p.payload) == 0 {
		return buf
	}
	if !s.started {
		s.started, s.next = true, p.seq
	}
	if int32(p.seq-s.next) > 0 {
		if s.pending == nil {
			s.pending = map[uint32][]byte{}
		}
		s.pending[p.seq] = append([]byte(nil), p.payload...)
		return buf
	}
	buf = s.appendSegment(buf, p.seq, p.payload)
	for progress := true; progress; {
		progress = false
		for seq, data := range s.pending {
			if int32(seq-s.next) <= 0 {
				delete(s.pending, seq)
				buf = s.appendSegment(buf, seq, data)
				progress = true
			}
		}
	}
	return buf
}

func (s *replayStream) appendSegment(buf []byte, seq uint32, data []byte) []byte {
	skip := int(s.next - seq)
	if skip >= len(data) || len(buf) >= replayStreamCap {
		return buf
	}
	data = data[skip:]
	s.next += uint32(len(data))
	return append(buf, data...)
}

// replayFlow is one flow of a capture fed to a dissector packet by packet.
type replayFlow struct {
	flow    Flow
	client  netip.AddrPort
	streams [2]replayStream
	verdict Verdict
	started bool
}

// replayCapture runs the TLS dissector on TCP flows and the DTLS dissector
// on UDP flows, and returns every flow by key.
func replayCapture(packets []replayPacket) map[replayKey]*replayFlow {
	flows := map[replayKey]*replayFlow{}
	for _, p := range packets {
		k := keyOf(p)
		rf := flows[k]
		if rf == nil {
			rf = &replayFlow{client: p.src}
			rf.flow.Protocol = p.proto
			rf.flow.Client, rf.flow.Server = p.src, p.dst
			flows[k] = rf
		}
		rf.feed(p)
	}
	return flows
}

func (rf *replayFlow) feed(p replayPacket) {
	dir := ClientToServer
	if p.src != rf.client {
		dir = ServerToClient
	}
	payload := p.payload
	if p.proto == 6 {
		s := &rf.flow.inspect().streams[dir]
		before := len(s.buf)
		s.buf = rf.streams[dir].add(p, s.buf)
		if p.syn && len(s.buf) == 0 {
			s.fromSYN = true
		}
		payload = s.buf[before:]
	}
	if len(p.payload) == 0 || rf.verdict == NotMine || rf.verdict == Done {
		return
	}
	rf.flow.Packets[dir]++
	pkt := Packet{Dir: dir, Payload: payload}
	if p.proto == 6 {
		rf.verdict = TLSDissector{}.Inspect(&rf.flow, &pkt)
	} else {
		rf.verdict = DTLSDissector{}.Inspect(&rf.flow, &pkt)
	}
}
