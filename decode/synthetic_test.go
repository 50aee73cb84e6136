package decode

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/flowlens/flowlens/capture"
)

// Addresses of the frames built in these tests (documentation ranges,
// RFC 5737 and RFC 3849).
var (
	outerSrc4, outerDst4 = net.IP{192, 0, 2, 1}, net.IP{192, 0, 2, 2}
	innerSrc4, innerDst4 = net.IP{198, 51, 100, 1}, net.IP{198, 51, 100, 2}
	innerSrc6            = net.ParseIP("2001:db8::1")
	innerDst6            = net.ParseIP("2001:db8::2")
	macA                 = net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	macB                 = net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
)

// build serializes layers with their lengths fixed.
func build(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func ether(t layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: t}
}

func ip4(proto layers.IPProtocol, src, dst net.IP) *layers.IPv4 {
	return &layers.IPv4{Version: 4, TTL: 64, Protocol: proto, SrcIP: src, DstIP: dst}
}

func ip6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: innerSrc6, DstIP: innerDst6}
}

func udp(src, dst layers.UDPPort) *layers.UDP { return &layers.UDP{SrcPort: src, DstPort: dst} }

func tcp(src, dst layers.TCPPort) *layers.TCP {
	return &layers.TCP{SrcPort: src, DstPort: dst, Seq: 1000, Ack: 2000, SYN: true, ACK: true, Window: 512, DataOffset: 5}
}

// innerUDP4 is the packet most tunnels below carry: UDP 1111 > 53 between
// the inner IPv4 addresses, with a 5-byte payload.
func innerUDP4(t testing.TB) []byte {
	return build(t, ip4(layers.IPProtocolUDP, innerSrc4, innerDst4), udp(1111, 53), gopacket.Payload("hello"))
}

func innerEthernetTCP6(t testing.TB, vlan uint16) []byte {
	return build(t, ether(layers.EthernetTypeDot1Q),
		&layers.Dot1Q{VLANIdentifier: vlan, Type: layers.EthernetTypeIPv6},
		ip6(layers.IPProtocolTCP), tcp(40000, 443), gopacket.Payload("tls"))
}

// raw is a header that gopacket cannot serialize, followed by the bytes
// of an inner frame.
func raw(header []byte, inner []byte) gopacket.Payload {
	return gopacket.Payload(append(append([]byte(nil), header...), inner...))
}

// erspanIIIHeader returns an ERSPAN type III header with frame type ft
// and, with subheader, the O bit set and an 8-byte platform subheader.
func erspanIIIHeader(ft uint8, subheader bool) []byte {
	h := make([]byte, erspanIIIHeaderLen)
	h[0] = erspanIIIVersion << 4
	h[10] = ft << 2
	if subheader {
		h[11] = 0x01
		h = append(h, make([]byte, erspanIIISubheaderLen)...)
	}
	return h
}

// ieee80211QoSData returns a QoS data frame header to the DS, with the
// Frame Control bytes swapped when swap is set, and an LLC/SNAP header
// for IPv4.
func ieee80211QoSData(swap bool) []byte {
	h := make([]byte, ieee80211HeaderLen+ieee80211QoSControlLen)
	h[0], h[1] = 0x88, 0x01
	if swap {
		h[0], h[1] = h[1], h[0]
	}
	return append(h, 0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00)
}

func routingHeader(next layers.IPProtocol) *layers.IPv6Routing {
	r := &layers.IPv6Routing{Reserved: []byte{0, 0, 0, 0}}
	r.NextHeader = next
	return r
}

func destinationHeader(next layers.IPProtocol) *layers.IPv6Destination {
	d := &layers.IPv6Destination{Options: []*layers.IPv6DestinationOption{{OptionType: 1, OptionLength: 4, OptionData: []byte{0, 0, 0, 0}}}}
	d.NextHeader = next
	return d
}

type want struct {
	version          uint8
	proto            uint8
	src, dst         net.IP
	srcPort, dstPort uint16
	vlan             uint16
	tunnelled        bool
	payload          string
}

func udpInInner(tunnelled bool) want {
	return want{version: 4, proto: ProtoUDP, src: innerSrc4, dst: innerDst4, srcPort: 1111, dstPort: 53,
		tunnelled: tunnelled, payload: "hello"}
}

var tcp6InInner = want{version: 6, proto: ProtoTCP, src: innerSrc6, dst: innerDst6, srcPort: 40000, dstPort: 443,
	vlan: 42, tunnelled: true, payload: "tls"}

// TestDecodeSynthetic decodes frames built with gopacket's layers for the
// encapsulations that no test capture contains.
func TestDecodeSynthetic(t *testing.T) {
	gre := func(g *layers.GRE, inner ...gopacket.SerializableLayer) []byte {
		ls := append([]gopacket.SerializableLayer{ether(layers.EthernetTypeIPv4),
			ip4(layers.IPProtocolGRE, outerSrc4, outerDst4), g}, inner...)
		return build(t, ls...)
	}
	udpTunnel := func(port layers.UDPPort, inner ...gopacket.SerializableLayer) []byte {
		ls := append([]gopacket.SerializableLayer{ether(layers.EthernetTypeIPv4),
			ip4(layers.IPProtocolUDP, outerSrc4, outerDst4), udp(50000, port)}, inner...)
		return build(t, ls...)
	}
	sll2 := make([]byte, linuxSLL2HeaderLen)
	binary.BigEndian.PutUint16(sll2[0:2], etherTypeIPv6)
	bsd := func(order binary.AppendByteOrder, family uint32) []byte {
		return order.AppendUint32(nil, family)
	}
	tzsp := []byte{tzspVersion, tzspTypeReceived, 0, tzspEncapEthernet, tzspTagPadding, 10, 1, 0x20, tzspTagEnd}
	tzsp80211 := []byte{tzspVersion, tzspTypeReceived, 0, tzspEncapIEEE80211, tzspTagEnd}
	capwap8023 := []byte{0, 2 << 3, 0, 0, 0, 0, 0, 0}
	capwap80211 := []byte{0, 2 << 3, capwapWBIDIEEE80211<<1 | capwapFlagT, 0, 0, 0, 0, 0}
	ah := []byte{uint8(layers.IPProtocolTCP), 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	ipOptions := []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}}

	cases := []struct {
		name string
		link capture.LinkType
		data []byte
		want want
	}{
		{"802.3 LLC SNAP", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypeLLC),
			&layers.LLC{DSAP: 0xAA, SSAP: 0xAA, Control: 3}, &layers.SNAP{OrganizationalCode: []byte{0, 0, 0}, Type: layers.EthernetTypeIPv4},
			gopacket.Payload(innerUDP4(t))), udpInInner(false)},
		{"MPLS two labels", capture.LinkTypeEthernet, build(t, ether(layers.EthernetTypeMPLSUnicast),
			&layers.MPLS{Label: 100, TTL: 64}, &layers.MPLS{Label: 200, StackBottom: true, TTL: 64},
			gopacket.Payload(innerUDP4(t))), udpInInner(false)},
		{"IPv4 options and padding", capture.LinkTypeEthernet, append(build(t, ether(layers.EthernetTypeIPv4),
			&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: innerSrc4, DstIP: innerDst4, Options: ipOptions},
			udp(1111, 53), gopacket.Payload("hello")), make([]byte, 20)...), udpInInner(false)},
		{"GRE key and sequence", capture.LinkTypeEthernet, gre(&layers.GRE{KeyPresent: true, SeqPresent: true, Key: 7, Seq: 1,
			Protocol: layers.EthernetTypeIPv4}, gopacket.Payload(innerUDP4(t))), udpInInner(true)},
		{"GRE checksum", capture.LinkTypeEthernet, gre(&layers.GRE{ChecksumPresent: true,
			Protocol: layers.EthernetTypeIPv4}, gopacket.Payload(innerUDP4(t))), udpInInner(true)},
		{"GRE transparent Ethernet", capture.LinkTypeEthernet, gre(&layers.GRE{Protocol: layers.EthernetTypeTransparentEthernetBridging},
			gopacket.Payload(innerEthernetTCP6(t, 42))), tcp6InInner},
		{"ERSPAN type I", capture.LinkTypeEthernet, gre(&layers.GRE{Protocol: layers.EthernetTypeERSPAN},
			gopacket.Payload(innerEthernetTCP6(t, 42))), tcp6InInner},
		{"ERSPAN type II", capture.LinkTypeEthernet, gre(&layers.GRE{SeqPresent: true, Protocol: layers.EthernetTypeERSPAN},
			&layers.ERSPANII{Version: erspanIIVersion, VLANIdentifier: 9, SessionID: 3}, gopacket.Payload(innerEthernetTCP6(t, 42))), tcp6InInner},
		{"ERSPAN type III Ethernet", capture.LinkTypeEthernet, gre(&layers.GRE{SeqPresent: true, Protocol: etherTypeERSPANIII},
			raw(erspanIIIHeader(erspanFrameEthernet, true), innerEthernetTCP6(t, 42))), tcp6InInner},
		{"ERSPAN type III IP", capture.LinkTypeEthernet, gre(&layers.GRE{SeqPresent: true, Protocol: etherTypeERSPANIII},
			raw(erspanIIIHeader(erspanFrameIP, false), innerUDP4(t))), udpInInner(true)},
		{"Geneve with option", capture.LinkTypeEthernet, udpTunnel(portGeneve,
			&layers.Geneve{Protocol: layers.EthernetTypeTransparentEthernetBridging, VNI: 5,
				Options: []*layers.GeneveOption{{Class: 0x0102, Type: 3, Length: 8, Data: []byte{1, 2, 3, 4}}}},
			gopacket.Payload(innerEthernetTCP6(t, 42))), tcp6InInner},
		{"GTP-U extension header", capture.LinkTypeEthernet, udpTunnel(portGTPU,
			&layers.GTPv1U{Version: 1, ProtocolType: 1, MessageType: gtpMessageGPDU, TEID: 9, ExtensionHeaderFlag: true,
				SequenceNumberFlag: true, GTPExtensionHeaders: []layers.GTPExtensionHeader{{Type: 0x85, Content: []byte{0x10, 0x05}}}},
			gopacket.Payload(innerUDP4(t))), udpInInner(true)},
		{"GTP-U echo stays UDP", capture.LinkTypeEthernet, udpTunnel(portGTPU,
			&layers.GTPv1U{Version: 1, ProtocolType: 1, MessageType: 1, SequenceNumberFlag: true}),
			want{version: 4, proto: ProtoUDP, src: outerSrc4, dst: outerDst4, srcPort: 50000, dstPort: portGTPU,
				payload: "\x32\x01\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00"}},
		{"TZSP Ethernet", capture.LinkTypeEthernet, udpTunnel(portTZSP,
			raw(tzsp, build(t, ether(layers.EthernetTypeIPv4), gopacket.Payload(innerUDP4(t))))), udpInInner(true)},
		{"TZSP 802.11", capture.LinkTypeEthernet, udpTunnel(portTZSP,
			raw(tzsp80211, raw(ieee80211QoSData(false), innerUDP4(t)))), udpInInner(true)},
		{"CAPWAP 802.3", capture.LinkTypeEthernet, udpTunnel(portCAPWAPData,
			raw(capwap8023, build(t, ether(layers.EthernetTypeIPv4), gopacket.Payload(innerUDP4(t))))), udpInInner(true)},
		{"CAPWAP 802.11 swapped control", capture.LinkTypeEthernet, udpTunnel(portCAPWAPData,
			raw(capwap80211, raw(ieee80211QoSData(true), innerUDP4(t)))), udpInInner(true)},
		{"CAPWAP DTLS stays UDP", capture.LinkTypeEthernet, udpTunnel(portCAPWAPData, gopacket.Payload{1, 0, 0, 0, 0x16, 0xfe, 0xfd, 0}),
			want{version: 4, proto: ProtoUDP, src: outerSrc4, dst: outerDst4, srcPort: 50000, dstPort: portCAPWAPData, payload: "\x01\x00\x00\x00\x16\xfe\xfd\x00"}},
		{"Linux cooked v2", capture.LinkTypeLinuxSLL2, build(t, raw(sll2, build(t, ip6(layers.IPProtocolTCP), tcp(40000, 443), gopacket.Payload("tls")))),
			want{version: 6, proto: ProtoTCP, src: innerSrc6, dst: innerDst6, srcPort: 40000, dstPort: 443, payload: "tls"}},
		{"BSD null little-endian IPv4", capture.LinkTypeNull, raw(bsd(binary.LittleEndian, bsdFamilyIPv4), innerUDP4(t)), udpInInner(false)},
		{"BSD null big-endian IPv4", capture.LinkTypeNull, raw(bsd(binary.BigEndian, bsdFamilyIPv4), innerUDP4(t)), udpInInner(false)},
		{"OpenBSD loop IPv6", capture.LinkTypeLoop, raw(bsd(binary.BigEndian, bsdFamilyIPv6NetBSD), build(t, ip6(layers.IPProtocolUDP), udp(1111, 53), gopacket.Payload("hello"))),
			want{version: 6, proto: ProtoUDP, src: innerSrc6, dst: innerDst6, srcPort: 1111, dstPort: 53, payload: "hello"}},
		{"IPv6 routing, destination options, AH", capture.LinkTypeIPv6, build(t, ip6(layers.IPProtocolIPv6Routing),
			routingHeader(layers.IPProtocolIPv6Destination), destinationHeader(layers.IPProtocolAH),
			raw(ah, build(t, tcp(40000, 443), gopacket.Payload("tls")))),
			want{version: 6, proto: ProtoTCP, src: innerSrc6, dst: innerDst6, srcPort: 40000, dstPort: 443, payload: "tls"}},
		{"IPv4 in IPv6", capture.LinkTypeIPv6, build(t, ip6(layers.IPProtocolIPv4), gopacket.Payload(innerUDP4(t))), udpInInner(true)},
		{"IPv6 in IPv4", capture.LinkTypeIPv4, build(t, ip4(layers.IPProtocolIPv6, outerSrc4, outerDst4), ip6(layers.IPProtocolUDP), udp(1111, 53), gopacket.Payload("hello")),
			want{version: 6, proto: ProtoUDP, src: innerSrc6, dst: innerDst6, srcPort: 1111, dstPort: 53, tunnelled: true, payload: "hello"}},
		{"SCTP", capture.LinkTypeRaw, build(t, ip4(layers.IPProtocolSCTP, innerSrc4, innerDst4), &layers.SCTP{SrcPort: 2905, DstPort: 2906}, gopacket.Payload("chunk")),
			want{version: 4, proto: ProtoSCTP, src: innerSrc4, dst: innerDst4, srcPort: 2905, dstPort: 2906, payload: "chunk"}},
		{"ESP has no ports", capture.LinkTypeRaw, build(t, ip4(layers.IPProtocolESP, innerSrc4, innerDst4), gopacket.Payload("espdata")),
			want{version: 4, proto: 50, src: innerSrc4, dst: innerDst4, payload: "espdata"}},
		{"PPTP GRE is not followed", capture.LinkTypeRaw, build(t, ip4(layers.IPProtocolGRE, outerSrc4, outerDst4), gopacket.Payload{0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 1}),
			want{version: 4, proto: 47, src: outerSrc4, dst: outerDst4, payload: "\x30\x01\x88\x0b\x00\x00\x00\x01"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Packet
			d := New(Config{})
			if !d.Decode(tc.data, tc.link, 0, &p) {
				t.Fatalf("rejected: %v", d.Stats())
			}
			checkPacket(t, &p, tc.want)
		})
	}
}

func checkPacket(t *testing.T, p *Packet, w want) {
	t.Helper()
	if p.IPVersion != w.version || p.Protocol != w.proto {
		t.Errorf("got IPv%d protocol %d, want IPv%d protocol %d", p.IPVersion, p.Protocol, w.version, w.proto)
	}
	wantSrc, _ := netip.AddrFromSlice(w.src)
	wantDst, _ := netip.AddrFromSlice(w.dst)
	if p.Src != wantSrc.Unmap() || p.Dst != wantDst.Unmap() {
		t.Errorf("got %s > %s, want %s > %s", p.Src, p.Dst, wantSrc.Unmap(), wantDst.Unmap())
	}
	if p.SrcPort != w.srcPort || p.DstPort != w.dstPort {
		t.Errorf("got ports %d > %d, want %d > %d", p.SrcPort, p.DstPort, w.srcPort, w.dstPort)
	}
	if p.VLAN != w.vlan {
		t.Errorf("got VLAN %d, want %d", p.VLAN, w.vlan)
	}
	if p.Tunnelled != w.tunnelled {
		t.Errorf("got Tunnelled %v, want %v", p.Tunnelled, w.tunnelled)
	}
	if string(p.Payload) != w.payload {
		t.Errorf("got payload %q, want %q", p.Payload, w.payload)
	}
}

// TestCAPWAPManagementFrameStaysUDP checks that a CAPWAP packet carrying an
// 802.11 beacon is keyed on the outer UDP header, as nDPI keys it.
func TestCAPWAPManagementFrameStaysUDP(t *testing.T) {
	beacon := make([]byte, ieee80211HeaderLen)
	beacon[0] = 0x80
	capwap := []byte{0, 2 << 3, capwapWBIDIEEE80211<<1 | capwapFlagT, 0, 0, 0, 0, 0}
	frame := build(t, ip4(layers.IPProtocolUDP, outerSrc4, outerDst4), udp(50000, portCAPWAPData), raw(capwap, beacon))
	var p Packet
	if !New(Config{}).Decode(frame, capture.LinkTypeIPv4, 0, &p) {
		t.Fatal("rejected")
	}
	checkPacket(t, &p, want{version: 4, proto: ProtoUDP, src: outerSrc4, dst: outerDst4, srcPort: 50000,
		dstPort: portCAPWAPData, payload: string(append(capwap, beacon...))})
}
