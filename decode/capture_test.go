package decode

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// captureCases are the captures in testdata with the encapsulation each
// one exercises.
var captureCases = []struct {
	file   string
	covers string
	// trimmed is set for a file cut from a larger corpus capture: only the
	// flows decoded from the cut are checked against nDPI's.
	trimmed bool
	// gopacketFrames is the number of frames gopacket's layers decode to
	// an IP header, so the independent check cannot pass by skipping.
	gopacketFrames int
	// gopacketOuter is set when gopacket does not follow the capture's
	// tunnel, so its keys are not compared.
	gopacketOuter bool
	// notDecoded lists nDPI flows that Decode rejects on purpose.
	notDecoded []string
}{
	{file: "4in4tunnel.pcap", covers: "QinQ, IPv4 in IPv4", gopacketFrames: 5},
	{file: "4in6tunnel.pcap", covers: "IPv4 in IPv6", gopacketFrames: 4},
	{file: "ipv6_in_gtp.pcap", covers: "QinQ, GTP-U, IPv6 with ESP", gopacketFrames: 2},
	{file: "http_origin_different_than_host.pcap", covers: "QinQ, GTP-U, TCP", gopacketFrames: 4},
	{file: "capwap_data.pcapng", covers: "QinQ, CAPWAP, 802.11, LLC/SNAP", gopacketFrames: 14, gopacketOuter: true},
	{file: "dns_fragmented.pcap", covers: "IPv4 and IPv6 fragments", gopacketFrames: 66},
	{file: "syslog.pcap", covers: "VLAN, PPPoE, IPv6 in IPv4", gopacketFrames: 94},
	{file: "hsrp0.pcap", covers: "802.1Q", gopacketFrames: 4},
	{file: "discord_mid_flow.pcap", covers: "QinQ, PPPoE", gopacketFrames: 40},
	{file: "rtcp_multiple_pkts_in_the_same_datagram.pcap", covers: "Linux cooked v1", gopacketFrames: 5},
	{file: "bjnp.pcap", covers: "raw IP", gopacketFrames: 10},
	// The only frame has a TCP data offset of 8 bytes, which nDPI
	// accepts and gopacket rejects.
	{file: "kerberos_fuzz.pcapng", covers: "raw IPv4 link type, bad TCP data offset", gopacketFrames: 0,
		notDecoded: []string{"vlan 0 proto 6 19.0.0.0:53646 126.4.1.0:88"}},
	{file: "rdp.pcap", covers: "BSD loopback", gopacketFrames: 20},
	{file: "BGP_redist.pcap", covers: "Cisco HDLC, MPLS", gopacketFrames: 0},
	{file: "dlt_ppp.pcap", covers: "PPP link type", gopacketFrames: 1},
	{file: "BGP_Cisco_hdlc_slarp.pcap", covers: "Cisco HDLC under the PPP link type", gopacketFrames: 0},
	{file: "someip_sd_sample.pcap", covers: "PPI header", gopacketFrames: 0},
	{file: "ajp.pcap", covers: "Cisco FabricPath, 802.1Q", gopacketFrames: 26},
	{file: "custom_categories.pcapng", covers: "QinQ, PPPoE, IPv6", gopacketFrames: 85},
	{file: "ipv6_hopopts.pcap", covers: "IPv6 hop-by-hop options", trimmed: true, gopacketFrames: 2},
	{file: "vxlan_head.pcap", covers: "VXLAN", trimmed: true, gopacketFrames: 40},
}

// TestDecodeCaptures replays each capture, compares every frame's result
// and the counters with a golden file, and checks the keys against
// gopacket's decode and nDPI's flows.
func TestDecodeCaptures(t *testing.T) {
	truth := loadTruth(t)
	for _, tc := range captureCases {
		t.Run(tc.file, func(t *testing.T) {
			frames := readFrames(t, tc.file)
			d := New(Config{})
			var out strings.Builder
			flows := map[flowKey]bool{}
			compared := 0
			for i, f := range frames {
				var p Packet
				ok := d.Decode(f.data, f.link, f.ts, &p)
				fmt.Fprintf(&out, "%d %s\n", i+1, describe(ok, &p))
				if ok && !(p.Fragment && p.SrcPort == 0 && p.DstPort == 0 && hasPorts(p.Protocol)) {
					flows[newFlowKey(&p)] = true
				}
				if tc.gopacketOuter {
					if gopacketReachesIP(f) {
						compared++
					}
				} else if gopacketAgrees(t, i+1, f, ok, &p) {
					compared++
				}
			}
			fmt.Fprintf(&out, "stats %s\n", describeStats(d.Stats()))
			checkGolden(t, strings.TrimSuffix(tc.file, filepath.Ext(tc.file))+".txt", []byte(out.String()))

			if compared != tc.gopacketFrames {
				t.Errorf("gopacket decoded %d frames to an IP header, want %d", compared, tc.gopacketFrames)
			}
			checkTruth(t, truth[tc.file], flows, !tc.trimmed, tc.notDecoded)
		})
	}
}

func hasPorts(proto uint8) bool {
	return proto == ProtoTCP || proto == ProtoUDP || proto == ProtoSCTP
}

// describe renders one decode result for the golden files.
func describe(ok bool, p *Packet) string {
	if !ok {
		return "rejected"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v%d proto=%d vlan=%d %s > %s len=%d payload=%d",
		p.IPVersion, p.Protocol, p.VLAN, netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort),
		p.IPLength, len(p.Payload))
	if p.Protocol == ProtoTCP {
		fmt.Fprintf(&b, " flags=%#02x seq=%d ack=%d win=%d", p.TCPFlags, p.Seq, p.Ack, p.Window)
	}
	if p.Protocol == ProtoICMP || p.Protocol == ProtoICMPv6 {
		fmt.Fprintf(&b, " icmp=%d/%d", p.ICMPType, p.ICMPCode)
	}
	if p.Fragment {
		b.WriteString(" fragment")
	}
	if p.Tunnelled {
		b.WriteString(" tunnelled")
	}
	return b.String()
}

func describeStats(s Stats) string {
	parts := []string{fmt.Sprintf("decoded=%d", s.Decoded)}
	for _, r := range Reasons() {
		if n := s.Count(r); n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", r, n))
		}
	}
	parts = append(parts, fmt.Sprintf("reassembled=%d expired=%d evicted=%d overflowed=%d",
		s.Reassembled, s.FragmentsExpired, s.FragmentsEvicted, s.FragmentsOverflowed))
	return strings.Join(parts, " ")
}

// gopacketAgrees decodes the frame with gopacket's layers, independently
// of this package, and reports an error where the innermost IP header or
// the ports differ. It returns whether gopacket reached an IP header.
func gopacketAgrees(t *testing.T, n int, f frame, ok bool, p *Packet) bool {
	t.Helper()
	pkt := gopacket.NewPacket(f.data, layers.LinkType(f.link), gopacket.DecodeOptions{NoCopy: true, Lazy: false})
	var want Packet
	var sawIP, sawPorts bool
	for _, l := range pkt.Layers() {
		switch l := l.(type) {
		case *layers.Dot1Q:
			want.VLAN = l.VLANIdentifier
		case *layers.IPv4:
			want = Packet{VLAN: want.VLAN, IPVersion: 4, Protocol: uint8(l.Protocol)}
			want.Src, _ = netip.AddrFromSlice(l.SrcIP.To4())
			want.Dst, _ = netip.AddrFromSlice(l.DstIP.To4())
			sawIP, sawPorts = true, false
		case *layers.IPv6:
			want = Packet{VLAN: want.VLAN, IPVersion: 6, Protocol: uint8(l.NextHeader)}
			want.Src, _ = netip.AddrFromSlice(l.SrcIP)
			want.Dst, _ = netip.AddrFromSlice(l.DstIP)
			sawIP, sawPorts = true, false
		case *layers.IPv6Fragment:
			want.Protocol = uint8(l.NextHeader)
		case *layers.IPv6HopByHop, *layers.IPv6Destination, *layers.IPv6Routing:
			if next, ok := nextHeaderOf(l); ok {
				want.Protocol = next
			}
		case *layers.TCP:
			want.SrcPort, want.DstPort, sawPorts = uint16(l.SrcPort), uint16(l.DstPort), true
		case *layers.UDP:
			want.SrcPort, want.DstPort, sawPorts = uint16(l.SrcPort), uint16(l.DstPort), true
		}
	}
	if !sawIP {
		return false
	}
	if !ok {
		t.Errorf("frame %d: rejected, gopacket decodes %s > %s", n, want.Src, want.Dst)
		return true
	}
	if p.Src != want.Src || p.Dst != want.Dst || p.IPVersion != want.IPVersion || p.VLAN != want.VLAN {
		t.Errorf("frame %d: got v%d %s > %s vlan %d, gopacket v%d %s > %s vlan %d", n,
			p.IPVersion, p.Src, p.Dst, p.VLAN, want.IPVersion, want.Src, want.Dst, want.VLAN)
	}
	if p.Protocol != want.Protocol {
		t.Errorf("frame %d: got protocol %d, gopacket %d", n, p.Protocol, want.Protocol)
	}
	if sawPorts && (p.SrcPort != want.SrcPort || p.DstPort != want.DstPort) {
		t.Errorf("frame %d: got ports %d > %d, gopacket %d > %d", n, p.SrcPort, p.DstPort, want.SrcPort, want.DstPort)
	}
	return true
}

// gopacketReachesIP reports whether gopacket decodes the frame to an IP
// header.
func gopacketReachesIP(f frame) bool {
	pkt := gopacket.NewPacket(f.data, layers.LinkType(f.link), gopacket.NoCopy)
	return pkt.NetworkLayer() != nil
}

func nextHeaderOf(l gopacket.Layer) (uint8, bool) {
	switch l := l.(type) {
	case *layers.IPv6HopByHop:
		return uint8(l.NextHeader), true
	case *layers.IPv6Destination:
		return uint8(l.NextHeader), true
	case *layers.IPv6Routing:
		return uint8(l.NextHeader), true
	}
	return 0, false
}

// flowKey is a flow's key with its two ends in a fixed order, so both
// directions map to one key.
type flowKey struct {
	vlan   uint16
	proto  uint8
	lo, hi netip.AddrPort
}

func newFlowKey(p *Packet) flowKey {
	a := netip.AddrPortFrom(p.Src, p.SrcPort)
	b := netip.AddrPortFrom(p.Dst, p.DstPort)
	if b.Compare(a) < 0 {
		a, b = b, a
	}
	return flowKey{vlan: p.VLAN, proto: p.Protocol, lo: a, hi: b}
}

func (k flowKey) String() string {
	return fmt.Sprintf("vlan %d proto %d %s %s", k.vlan, k.proto, k.lo, k.hi)
}

// truthFlow is the part of a flow record of testdata/truth.jsonl, nDPI's
// results, that a decoder decides.
type truthFlow struct {
	PCAP       string `json:"pcap"`
	VLAN       uint16 `json:"vlan"`
	L4         string `json:"l4"`
	ClientIP   string `json:"client_ip"`
	ClientPort uint16 `json:"client_port"`
	ServerIP   string `json:"server_ip"`
	ServerPort uint16 `json:"server_port"`
}

func loadTruth(t *testing.T) map[string][]flowKey {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth := map[string][]flowKey{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r truthFlow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("truth.jsonl: %v", err)
		}
		p := Packet{VLAN: r.VLAN, Protocol: protocolOf(t, r.L4), SrcPort: r.ClientPort, DstPort: r.ServerPort}
		p.Src = netip.MustParseAddr(r.ClientIP)
		p.Dst = netip.MustParseAddr(r.ServerIP)
		truth[r.PCAP] = append(truth[r.PCAP], newFlowKey(&p))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return truth
}

func protocolOf(t *testing.T, l4 string) uint8 {
	switch l4 {
	case "TCP":
		return ProtoTCP
	case "UDP":
		return ProtoUDP
	case "ICMP":
		return ProtoICMP
	case "ICMPv6":
		return ProtoICMPv6
	case "SCTP":
		return ProtoSCTP
	}
	var n uint8
	if _, err := fmt.Sscan(l4, &n); err != nil {
		t.Fatalf("truth.jsonl: l4 %q: %v", l4, err)
	}
	return n
}

// checkTruth checks that nDPI's flows and the decoded ones agree. With
// whole, the capture is nDPI's input as it was, so every nDPI flow must
// have been decoded too.
func checkTruth(t *testing.T, truth []flowKey, decoded map[flowKey]bool, whole bool, notDecoded []string) {
	t.Helper()
	rejected := map[string]bool{}
	for _, k := range notDecoded {
		rejected[k] = true
	}
	if len(truth) == 0 {
		t.Fatal("no nDPI flows for this capture in testdata/truth.jsonl")
	}
	inTruth := map[flowKey]bool{}
	for _, k := range truth {
		inTruth[k] = true
		if rejected[k.String()] {
			if decoded[k] {
				t.Errorf("flow %s was decoded, but the test expects it rejected", k)
			}
			continue
		}
		if whole && !decoded[k] {
			t.Errorf("nDPI flow %s was not decoded", k)
		}
	}
	var extra []string
	for k := range decoded {
		if !inTruth[k] {
			extra = append(extra, k.String())
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		t.Errorf("decoded flow %s is not among nDPI's flows", k)
	}
}
