package capture

import (
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestWithFilter counts the packets each filter keeps and compares the
// count with one computed by decoding every packet with gopacket's layers.
// The predicates follow libpcap's code: without the vlan keyword, ip, ip6,
// tcp, udp, port and host look only at untagged frames, and port tests
// skip IPv4 fragments after the first.
func TestWithFilter(t *testing.T) {
	loopback := netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		expr  string
		file  string
		match func(frame) bool
	}{
		{"tcp port 443", "tls_invalid_reads.pcap", func(f frame) bool { return f.proto == 6 && f.hasPort(443) }},
		{"udp", "dns.pcap", func(f frame) bool { return f.proto == 17 }},
		{"udp", "mixed-links.pcapng", func(f frame) bool { return f.proto == 17 }},
		{"host 127.0.0.1", "cassandra.pcap", func(f frame) bool { return f.src == loopback || f.dst == loopback }},
		{"ip6", "dns-google-nsid.pcapng", func(f frame) bool { return !f.tagged && f.etherType == layers.EthernetTypeIPv6 }},
		{"vlan", "smtp-starttls.pcap", func(f frame) bool { return f.tagged }},
		{"vlan", "dns.pcap", func(f frame) bool { return f.tagged }},
		{"udp port 53", "dns-google-nsid.pcapng", func(f frame) bool { return f.proto == 17 && f.hasPort(53) }},
		{"not port 53", "dns.pcap", func(f frame) bool { return !(f.proto == 6 || f.proto == 17) || !f.hasPort(53) }},
		{"", "knxip.pcapng", func(frame) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.expr+" on "+tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			var want int
			for _, p := range readAll(t, path) {
				if tt.match(decodeFrame(p)) {
					want++
				}
			}

			got := countFiltered(t, path, tt.expr)
			if got != want {
				t.Errorf("filter kept %d packets, decoding finds %d", got, want)
			}
			if want == 0 {
				t.Errorf("no packet of %s matches, so the case tests nothing", tt.file)
			}
		})
	}
}

func countFiltered(t *testing.T, path, expr string) int {
	t.Helper()
	src, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	filtered, err := WithFilter(src, expr)
	if err != nil {
		t.Fatal(err)
	}
	defer filtered.Close()

	var n int
	var p Packet
	for {
		err := filtered.ReadPacket(&p)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

// frame holds what the filters in TestWithFilter look at.
type frame struct {
	tagged       bool
	etherType    layers.EthernetType
	proto        layers.IPProtocol // 0 unless IPv4 or IPv6 is untagged
	src, dst     netip.Addr
	ports        []uint16 // empty for IPv4 fragments after the first
	notFirstFrag bool
}

func (f frame) hasPort(port uint16) bool {
	for _, p := range f.ports {
		if p == port {
			return true
		}
	}
	return false
}

func decodeFrame(p packet) frame {
	pkt := gopacket.NewPacket(p.Data, layers.LinkType(p.LinkType), gopacket.Default)
	var f frame
	if eth, ok := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet); ok {
		f.etherType = eth.EthernetType
		f.tagged = eth.EthernetType == layers.EthernetTypeDot1Q || eth.EthernetType == layers.EthernetTypeQinQ
		if f.tagged {
			return f
		}
	}
	switch ip := pkt.NetworkLayer().(type) {
	case *layers.IPv4:
		f.proto, f.src, f.dst = ip.Protocol, addr(ip.SrcIP), addr(ip.DstIP)
		f.notFirstFrag = ip.FragOffset != 0
	case *layers.IPv6:
		f.proto, f.src, f.dst = ip.NextHeader, addr(ip.SrcIP), addr(ip.DstIP)
	}
	if arp, ok := pkt.Layer(layers.LayerTypeARP).(*layers.ARP); ok {
		f.src, f.dst = addr(arp.SourceProtAddress), addr(arp.DstProtAddress)
	}
	if f.notFirstFrag {
		return f
	}
	switch l4 := pkt.TransportLayer().(type) {
	case *layers.TCP:
		f.ports = []uint16{uint16(l4.SrcPort), uint16(l4.DstPort)}
	case *layers.UDP:
		f.ports = []uint16{uint16(l4.SrcPort), uint16(l4.DstPort)}
	}
	return f
}

func addr(b []byte) netip.Addr {
	a, _ := netip.AddrFromSlice(b)
	return a.Unmap()
}

func TestCompileFilter(t *testing.T) {
	tests := []struct {
		expr    string
		link    LinkType
		wantErr string
	}{
		{"tcp port 443", LinkTypeEthernet, ""},
		{"vlan and udp", LinkTypeEthernet, ""},
		{"ip6", LinkTypeRaw, ""},
		{"tcp port", LinkTypeEthernet, "invalid filter"},
		{"ether host 00:11:22:33:44:55", LinkTypeRaw, "invalid filter"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			program, err := CompileFilter(tt.expr, tt.link, DefaultSnapLen)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(program) < 2 {
				t.Errorf("program has %d instructions, want a test and a return at least", len(program))
			}
		})
	}
}

func TestWithFilterRejectsBadSyntax(t *testing.T) {
	src, err := OpenFile("testdata/knxip.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := WithFilter(src, "port and"); err == nil {
		t.Error("WithFilter accepted \"port and\"")
	}
}
