package dpi

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestDNSReadName(t *testing.T) {
	tests := []struct {
		name     string
		msg      string
		off      int
		wantName string
		wantNext int
		wantOK   bool
	}{
		{"plain", "\x03www\x07example\x03com\x00", 0, "www.example.com", 17, true},
		{"root", "\x00", 0, "", 1, true},
		{"pointer back", "\x03com\x00\x07example\xc0\x00", 5, "example.com", 15, true},
		{"pointer to itself", "\xc0\x00", 0, "", 0, false},
		{"pointer forward", "\xc0\x02\x03com\x00", 0, "", 0, false},
		{"pointer loop", "\x01a\xc0\x04\x01b\xc0\x00", 4, "", 0, false},
		{"reserved label type", "\x40abc\x00", 0, "", 0, false},
		{"label past the end", "\x05ab", 0, "", 0, false},
		{"missing root label", "\x03www", 0, "", 0, false},
		{"offset past the end", "\x00", 3, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out [dnsMaxNameLen]byte
			n, next, ok := dnsReadName([]byte(tt.msg), tt.off, out[:])
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if got := string(out[:n]); ok && got != tt.wantName {
				t.Errorf("name = %q, want %q", got, tt.wantName)
			}
			if ok && next != tt.wantNext {
				t.Errorf("next = %d, want %d", next, tt.wantNext)
			}
		})
	}
}

func TestDNSReadNameTooLong(t *testing.T) {
	var msg []byte
	for range 5 {
		msg = append(msg, 63)
		for range 63 {
			msg = append(msg, 'a')
		}
	}
	msg = append(msg, 0)
	var out [dnsMaxNameLen]byte
	if _, _, ok := dnsReadName(msg, 0, out[:]); ok {
		t.Error("a name of 321 octets was accepted")
	}
}

func TestDNSMnemonics(t *testing.T) {
	types := map[uint16]string{1: "A", 28: "AAAA", 65: "HTTPS", 255: "ANY", 33: "SRV", 4242: "TYPE4242"}
	for code, want := range types {
		if got := dnsTypeName(code); got != want {
			t.Errorf("dnsTypeName(%d) = %q, want %q", code, got, want)
		}
	}
	rcodes := map[uint8]string{0: "NOERROR", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED", 14: "RCODE14"}
	for code, want := range rcodes {
		if got := dnsRCodeName(code); got != want {
			t.Errorf("dnsRCodeName(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestHTTPStripPort(t *testing.T) {
	tests := map[string]string{
		"example.com":      "example.com",
		"example.com:8080": "example.com",
		"10.0.0.1:80":      "10.0.0.1",
		"[2001:db8::1]:80": "[2001:db8::1]",
		"[2001:db8::1]":    "[2001:db8::1]",
		"2001:db8::1":      "2001:db8::1",
		"example.com:abc":  "example.com:abc",
		"":                 "",
	}
	for in, want := range tests {
		if got := string(httpStripPort([]byte(in))); got != want {
			t.Errorf("httpStripPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHTTPSplitRequest(t *testing.T) {
	tests := []struct {
		line string
		want [3]string
		ok   bool
	}{
		{"GET / HTTP/1.1", [3]string{"GET", "/", "HTTP/1.1"}, true},
		{"GET    /a  HTTP/1.0", [3]string{"GET", "/a", "HTTP/1.0"}, true},
		{"GET /a b HTTP/1.1", [3]string{"GET", "/a b", "HTTP/1.1"}, true},
		{"GET /", [3]string{}, false},
		{"GET  HTTP/1.1", [3]string{}, false},
	}
	for _, tt := range tests {
		parts, ok := httpSplitRequest([]byte(tt.line))
		if ok != tt.ok {
			t.Errorf("httpSplitRequest(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			continue
		}
		if ok && [3]string{string(parts[0]), string(parts[1]), string(parts[2])} != tt.want {
			t.Errorf("httpSplitRequest(%q) = %q, want %q", tt.line, parts, tt.want)
		}
	}
}

func TestHTTPChunkedRequestsCounted(t *testing.T) {
	c2s := "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"4\r\nabcd\r\n0\r\n\r\n" +
		"GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
	f := tcpFlow(80)
	f.inspect().streams[ClientToServer].buf = []byte(c2s)
	HTTP{}.Inspect(f, &Packet{Dir: ClientToServer, Payload: []byte(c2s)})
	if f.HTTP == nil || f.HTTP.Requests != 2 {
		t.Fatalf("record = %+v, want 2 requests", f.HTTP)
	}
}

func TestDHCPFingerprint(t *testing.T) {
	if got := dhcpFingerprint([]byte{1, 121, 3, 6, 15, 119, 252}); got != "1,121,3,6,15,119,252" {
		t.Errorf("dhcpFingerprint = %q", got)
	}
	if got := dhcpFingerprint(nil); got != "" {
		t.Errorf("dhcpFingerprint(nil) = %q, want empty", got)
	}
	if got := dhcpv6Fingerprint([]byte{0, 23, 0, 24, 0}); got != "23,24" {
		t.Errorf("dhcpv6Fingerprint = %q", got)
	}
}

func tcpFlow(serverPort uint16) *Flow {
	return &Flow{
		Protocol: ipProtocolTCP,
		Client:   netip.MustParseAddrPort("192.0.2.1:40000"),
		Server:   netip.AddrPortFrom(netip.MustParseAddr("192.0.2.2"), serverPort),
	}
}

// TestL7RejectOtherProtocols offers each dissector the first payload of
// the other protocols' cases, on the dissector's own port, and expects
// NotMine (or NeedMore from DNS, which allows a damaged first message).
func TestL7RejectOtherProtocols(t *testing.T) {
	owners := map[string]Dissector{"dns": DNS{}, "http": HTTP{}, "ssh": SSH{}, "dhcp": DHCP{}}
	ports := map[string]uint16{"dns": dnsPort, "http": 80, "ssh": 22, "dhcp": dhcpServerPort}
	for proto, d := range owners {
		for other := range owners {
			if other == proto {
				continue
			}
			files, _ := filepath.Glob(filepath.Join("testdata", other, "*", "00-*.bin"))
			for _, name := range files {
				payload, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				for _, l4 := range []uint8{ipProtocolTCP, ipProtocolUDP} {
					f := tcpFlow(ports[proto])
					f.Protocol = l4
					f.inspect().streams[ClientToServer].buf = payload
					f.Packets[ClientToServer] = 1
					v := d.Inspect(f, &Packet{Dir: ClientToServer, Payload: payload})
					if v == Claimed || v == Done || f.Master != "" {
						t.Errorf("%s claimed %s (l4 %d) as %q", d.Name(), name, l4, f.Master)
					}
				}
			}
		}
	}
}
