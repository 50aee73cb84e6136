package dpi

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// seedPayloads adds every payload file of a protocol's testdata cases to
// the fuzzer's corpus.
func seedPayloads(f *testing.F, proto string) {
	files, _ := filepath.Glob(filepath.Join("testdata", proto, "*", "*.bin"))
	if len(files) == 0 {
		f.Fatalf("no %s payloads in testdata", proto)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, data)
	}
}

// fuzzFlow offers two payloads to a dissector, one from each side, as
// UDP datagrams or as the start of the two TCP streams.
func fuzzFlow(d Dissector, protocol uint8, clientPort, serverPort uint16, c2s, s2c []byte) {
	f := &Flow{
		Protocol: protocol,
		Client:   netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), clientPort),
		Server:   netip.AddrPortFrom(netip.MustParseAddr("192.0.2.2"), serverPort),
	}
	for i, payload := range [][]byte{c2s, s2c, c2s} {
		p := &Packet{Dir: Direction(i % 2), Payload: payload}
		if protocol == ipProtocolTCP {
			f.inspect().streams[p.Dir].buf = append(f.inspect().streams[p.Dir].buf, payload...)
		}
		f.Packets[p.Dir]++
		if v := d.Inspect(f, p); v == NotMine || v == Done {
			return
		}
	}
}

func FuzzDNS(f *testing.F) {
	seedPayloads(f, "dns")
	f.Fuzz(func(t *testing.T, c2s, s2c []byte) {
		fuzzFlow(DNS{}, ipProtocolUDP, 40000, dnsPort, c2s, s2c)
		fuzzFlow(DNS{}, ipProtocolTCP, 40000, dnsPort, c2s, s2c)
		fuzzFlow(DNS{}, ipProtocolUDP, mdnsPort, mdnsPort, c2s, s2c)
	})
}

func FuzzHTTP(f *testing.F) {
	seedPayloads(f, "http")
	f.Fuzz(func(t *testing.T, c2s, s2c []byte) {
		fuzzFlow(HTTP{}, ipProtocolTCP, 40000, 80, c2s, s2c)
	})
}

func FuzzSSH(f *testing.F) {
	seedPayloads(f, "ssh")
	f.Fuzz(func(t *testing.T, c2s, s2c []byte) {
		fuzzFlow(SSH{}, ipProtocolTCP, 40000, 22, c2s, s2c)
	})
}

func FuzzDHCP(f *testing.F) {
	seedPayloads(f, "dhcp")
	f.Fuzz(func(t *testing.T, c2s, s2c []byte) {
		fuzzFlow(DHCP{}, ipProtocolUDP, dhcpClientPort, dhcpServerPort, c2s, s2c)
		fuzzFlow(DHCP{}, ipProtocolUDP, dhcpv6ClientPort, dhcpv6ServerPort, c2s, s2c)
	})
}
