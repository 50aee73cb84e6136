package decode

import (
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/flowlens/flowlens/capture"
)

// TestDecodeRejects checks that malformed and non-IP frames are rejected
// and counted under the expected reason.
func TestDecodeRejects(t *testing.T) {
	ipHeader := build(t, ip4(layers.IPProtocolUDP, innerSrc4, innerDst4), udp(1, 2))
	withByte := func(b []byte, i int, v byte) []byte {
		b = append([]byte(nil), b...)
		b[i] = v
		return b
	}
	ipv4With := func(proto layers.IPProtocol, l4 []byte) []byte {
		return build(t, ip4(proto, outerSrc4, outerDst4), gopacket.Payload(l4))
	}
	udpTo := func(port layers.UDPPort, payload []byte) []byte {
		return build(t, ip4(layers.IPProtocolUDP, outerSrc4, outerDst4), udp(50000, port), gopacket.Payload(payload))
	}
	nested := innerUDP4(t)
	for range DefaultMaxTunnelDepth + 1 {
		nested = build(t, ip4(layers.IPProtocolIPv4, outerSrc4, outerDst4), gopacket.Payload(nested))
	}
	tcpHeader := build(t, tcp(1, 2))

	// gopacket pads Ethernet frames to the 60-byte minimum, so frames
	// that must end inside a header are cut after building.
	cases := []struct {
		name string
		link capture.LinkType
		data []byte
		want Reason
	}{
		{"unsupported link type", capture.LinkType(147), ipHeader, ReasonUnsupportedLinkType},
		{"ARP", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypeARP), gopacket.Payload(make([]byte, 28))), ReasonNonIP},
		{"STP over LLC", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypeLLC), &layers.LLC{DSAP: 0x42, SSAP: 0x42, Control: 3}, gopacket.Payload(make([]byte, 35))), ReasonNonIP},
		{"short Ethernet", capture.LinkTypeEthernet, make([]byte, 13), ReasonEthernetTruncated},
		{"short VLAN tag", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypeDot1Q))[:ethernetHeaderLen+2], ReasonVLANTruncated},
		{"MPLS without bottom of stack", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypeMPLSUnicast), &layers.MPLS{Label: 1}), ReasonMPLSTruncated},
		{"short PPPoE", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypePPPoESession))[:ethernetHeaderLen+3], ReasonPPPoETruncated},
		{"short SNAP", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypeLLC), gopacket.Payload{0xAA, 0xAA, 0x03, 0}), ReasonLLCTruncated},
		{"short loopback", capture.LinkTypeNull, []byte{2, 0}, ReasonLinkTruncated},
		{"short Linux cooked", capture.LinkTypeLinuxSLL, make([]byte, 15), ReasonLinkTruncated},
		{"raw IP version 5", capture.LinkTypeRaw, withByte(ipHeader, 0, 0x55), ReasonIPBadVersion},
		{"short IPv4", capture.LinkTypeIPv4, ipHeader[:19], ReasonIPv4Truncated},
		{"IPv4 header length 16", capture.LinkTypeIPv4, withByte(ipHeader, 0, 0x44), ReasonIPv4BadHeaderLength},
		{"IPv4 header beyond capture", capture.LinkTypeIPv4, withByte(ipHeader[:24], 0, 0x47), ReasonIPv4Truncated},
		{"IPv4 total length 10", capture.LinkTypeIPv4, withByte(withByte(ipHeader, 2, 0), 3, 10), ReasonIPv4BadTotalLength},
		{"short IPv6", capture.LinkTypeIPv6, make([]byte, 39), ReasonIPv6Truncated},
		{"short hop-by-hop", capture.LinkTypeIPv6, build(t, ip6(layers.IPProtocolIPv6HopByHop), gopacket.Payload{6}), ReasonIPv6ExtensionTruncated},
		{"TCP data offset 8", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolTCP, withByte(tcpHeader, 12, 0x20)), ReasonTCPBadDataOffset},
		{"TCP options beyond capture", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolTCP, withByte(tcpHeader, 12, 0x60)), ReasonTCPTruncated},
		{"short TCP", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolTCP, tcpHeader[:19]), ReasonTCPTruncated},
		{"short UDP", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolUDP, make([]byte, 7)), ReasonUDPTruncated},
		{"short ICMP", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolICMPv4, []byte{8, 0, 0}), ReasonICMPTruncated},
		{"short SCTP", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolSCTP, make([]byte, 11)), ReasonSCTPTruncated},
		{"short GRE", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolGRE, []byte{0x20, 0, 0x08, 0, 0, 0}), ReasonGRETruncated},
		{"short ERSPAN II", capture.LinkTypeIPv4, ipv4With(layers.IPProtocolGRE, []byte{0x10, 0, 0x88, 0xBE, 0, 0, 0, 1, 0x10}), ReasonERSPANTruncated},
		{"Geneve options beyond capture", capture.LinkTypeIPv4, udpTo(portGeneve, []byte{0x04, 0, 0x65, 0x58, 0, 0, 1, 0}), ReasonGeneveTruncated},
		{"GTP-U extension beyond capture", capture.LinkTypeIPv4, udpTo(portGTPU, []byte{0x34, 0xFF, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 2, 0, 0}), ReasonGTPTruncated},
		{"CAPWAP header beyond capture", capture.LinkTypeIPv4, udpTo(portCAPWAPData, []byte{0, 4 << 3, 0, 0, 0, 0, 0, 0}), ReasonCAPWAPTruncated},
		{"TZSP without end tag", capture.LinkTypeIPv4, udpTo(portTZSP, []byte{1, 0, 0, 1, 10, 4, 0}), ReasonTZSPTruncated},
		{"short 802.11", capture.LinkTypeIPv4, udpTo(portTZSP, []byte{1, 0, 0, 18, 1, 0x08, 0x01}), ReasonIEEE80211Truncated},
		{"tunnels too deep", capture.LinkTypeIPv4, nested, ReasonTunnelTooDeep},
		{"IPv4 fragment beyond 64 KiB", capture.LinkTypeIPv4, build(t, &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
			SrcIP: innerSrc4, DstIP: innerDst4, FragOffset: 8190}, gopacket.Payload(make([]byte, 16))), ReasonFragmentBadOffset},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Packet
			d := New(Config{})
			if d.Decode(tc.data, tc.link, 0, &p) {
				t.Fatalf("decoded %s > %s, want rejected as %s", p.Src, p.Dst, tc.want)
			}
			st := d.Stats()
			if got := st.Count(tc.want); got != 1 {
				t.Errorf("%s counted %d times, want 1; stats %+v", tc.want, got, st.Rejected)
			}
			if st.Decoded != 0 {
				t.Errorf("Decoded = %d, want 0", st.Decoded)
			}
		})
	}
}

// TestShortIP checks that a frame cut by the snapshot length decodes from
// the captured bytes, while one whose IP header claims more than the frame
// carried on the wire is rejected unless Config.AcceptShortIP is set.
func TestShortIP(t *testing.T) {
	whole := build(t, ip4(layers.IPProtocolUDP, innerSrc4, innerDst4), udp(1111, 53), gopacket.Payload("hello"))
	frame := whole[:len(whole)-2]
	var p Packet
	if !New(Config{}).DecodeFrame(frame, len(whole), capture.LinkTypeIPv4, 0, &p) {
		t.Fatal("frame cut by the snapshot length rejected")
	}
	if string(p.Payload) != "hel" {
		t.Errorf("payload = %q, want the captured %q", p.Payload, "hel")
	}
	d := New(Config{})
	if d.Decode(frame, capture.LinkTypeIPv4, 0, &p) {
		t.Fatal("frame shorter than its IP header claims was decoded")
	}
	if got := d.Stats().Count(ReasonIPv4Truncated); got != 1 {
		t.Errorf("ipv4_truncated = %d, want 1", got)
	}
	if !New(Config{AcceptShortIP: true}).Decode(frame, capture.LinkTypeIPv4, 0, &p) {
		t.Error("short frame rejected with AcceptShortIP")
	}
}

// TestReasonNames checks that every reason has its own snake_case name.
func TestReasonNames(t *testing.T) {
	seen := map[string]Reason{}
	for _, r := range Reasons() {
		name := r.String()
		if name == "" || name == "unknown" || name == "ok" {
			t.Errorf("reason %d has no name", r)
		}
		if other, ok := seen[name]; ok {
			t.Errorf("reasons %d and %d share the name %q", other, r, name)
		}
		seen[name] = r
	}
	if got := Reason(200).String(); got != "unknown" {
		t.Errorf("Reason(200).String() = %q, want unknown", got)
	}
}
