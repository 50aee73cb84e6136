package dpi

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowlens/flowlens/decode"
)

// corpusPacket is one packet of a flow read from a capture, with the
// fields the engine needs.
type corpusPacket struct {
	dir     Direction
	payload []byte
	seq     uint32
	flags   uint8
	ts      int64
}

// corpusFlow is a bidirectional flow read from a capture: its client is
// the sender of the first packet, or the receiver of a SYN-ACK seen first.
type corpusFlow struct {
	proto          uint8
	client, server netip.AddrPort
	packets        []corpusPacket
}

// corpusKey identifies a flow whatever the direction of a packet.
type corpusKey struct {
	proto uint8
	a, b  netip.AddrPort
}

func newCorpusKey(proto uint8, x, y netip.AddrPort) corpusKey {
	if x.Compare(y) > 0 {
		x, y = y, x
	}
	return corpusKey{proto, x, y}
}

// packetSource is what pcapgo's pcap and pcapng readers have in common.
type packetSource interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	LinkType() layers.LinkType
}

func openCapture(r io.Reader) (packetSource, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		return pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
	}
	return pcapgo.NewReader(br)
}

// readReplayFlows reads a capture file into flows, in order of their
// first packet. Packets that are not TCP or UDP over IP are skipped.
func readReplayFlows(path string) ([]*corpusFlow, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	src, err := openCapture(fh)
	if err != nil {
		return nil, fmt.Errorf("open capture %q: %w", path, err)
	}
	byKey := map[corpusKey]*corpusFlow{}
	var flows []*corpusFlow
	for {
		data, ci, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			// pcapng readers report unknown blocks as errors: skip them.
			if strings.Contains(err.Error(), "unknown") {
				continue
			}
			break
		}
		pkt, proto, src4, dst4, ok := decodeCorpusPacket(data, src.LinkType())
		if !ok || (ci.CaptureLength == ci.Length && ipv4Short(data, src.LinkType())) {
			// The product's decoder drops an IPv4 packet whose total
			// length runs past the bytes captured, unless the capture's
			// snap length cut the frame.
			continue
		}
		pkt.ts = ci.Timestamp.UnixNano()
		k := newCorpusKey(proto, src4, dst4)
		fl := byKey[k]
		if fl == nil {
			fl = &corpusFlow{proto: k.proto, client: src4, server: dst4}
			if pkt.flags&(decode.TCPFlagSYN|decode.TCPFlagACK) == decode.TCPFlagSYN|decode.TCPFlagACK {
				fl.client, fl.server = dst4, src4
			}
			byKey[k] = fl
			flows = append(flows, fl)
		}
		if src4 != fl.client {
			pkt.dir = ServerToClient
		}
		fl.packets = append(fl.packets, pkt)
	}
	return flows, nil
}

// decodeCorpusPacket finds the innermost IP header and its TCP or UDP
// payload, and returns the packet with its IP protocol and endpoints.
func decodeCorpusPacket(data []byte, lt layers.LinkType) (p corpusPacket, proto uint8, src, dst netip.AddrPort, ok bool) {
	pk := gopacket.NewPacket(data, lt, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	var srcIP, dstIP netip.Addr
	for _, l := range pk.Layers() {
		switch ip := l.(type) {
		case *layers.IPv4:
			srcIP, _ = netip.AddrFromSlice(ip.SrcIP.To4())
			dstIP, _ = netip.AddrFromSlice(ip.DstIP.To4())
		case *layers.IPv6:
			srcIP, _ = netip.AddrFromSlice(ip.SrcIP)
			dstIP, _ = netip.AddrFromSlice(ip.DstIP)
		}
	}
	if !srcIP.IsValid() {
		return p, 0, src, dst, false
	}
	var sp, dp uint16
	switch {
	case pk.Layer(layers.LayerTypeTCP) != nil:
		t := pk.Layer(layers.LayerTypeTCP).(*layers.TCP)
		sp, dp = uint16(t.SrcPort), uint16(t.DstPort)
		proto, p.seq, p.payload = decode.ProtoTCP, t.Seq, t.Payload
		p.flags = tcpFlagsOf(t)
	case pk.Layer(layers.LayerTypeUDP) != nil:
		u := pk.Layer(layers.LayerTypeUDP).(*layers.UDP)
		sp, dp = uint16(u.SrcPort), uint16(u.DstPort)
		proto, p.payload = decode.ProtoUDP, u.Payload
	default:
		return p, 0, src, dst, false
	}
	return p, proto, netip.AddrPortFrom(srcIP.Unmap(), sp), netip.AddrPortFrom(dstIP.Unmap(), dp), true
}

// ipv4Short reports whether a frame's IPv4 header claims more bytes than
// the frame holds.
func ipv4Short(data []byte, lt layers.LinkType) bool {
	pk := gopacket.NewPacket(data, lt, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	ip, ok := pk.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	return ok && int(ip.Length) > len(ip.Contents)+len(ip.Payload)
}

func tcpFlagsOf(t *layers.TCP) uint8 {
	var f uint8
	for _, b := range []struct {
		set  bool
		flag uint8
	}{
		{t.FIN, decode.TCPFlagFIN}, {t.SYN, decode.TCPFlagSYN}, {t.RST, decode.TCPFlagRST},
		{t.PSH, decode.TCPFlagPSH}, {t.ACK, decode.TCPFlagACK}, {t.URG, decode.TCPFlagURG},
	} {
		if b.set {
			f |= b.flag
		}
	}
	return f
}

// newEngineWith returns an engine that runs only the given dissectors.
func newEngineWith(ds []Dissector) *Engine {
	e := NewEngine(DefaultConfig())
	e.dissectors = ds
	e.byPort = map[portKey][]int{}
	for i, d := range ds {
		h, ok := d.(portHinter)
		if !ok {
			continue
		}
		tcp, udp := h.Ports()
		for _, p := range tcp {
			e.byPort[portKey{decode.ProtoTCP, p}] = append(e.byPort[portKey{decode.ProtoTCP, p}], i)
		}
		for _, p := range udp {
			e.byPort[portKey{decode.ProtoUDP, p}] = append(e.byPort[portKey{decode.ProtoUDP, p}], i)
		}
	}
	return e
}

// replayCorpusFlow runs a flow's packets through e and returns the DPI state.
func (e *Engine) replayCorpusFlow(fl *corpusFlow) *Flow {
	f := e.NewFlow(fl.proto, fl.client, fl.server)
	for i := range fl.packets {
		p := &fl.packets[i]
		dp := decode.Packet{Protocol: fl.proto, TCPFlags: p.flags, Seq: p.seq, Payload: p.payload}
		e.Inspect(f, p.dir, &dp, p.ts)
		if f.Finished() {
			break
		}
	}
	return f
}
