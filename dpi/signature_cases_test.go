package dpi

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
)

var signatureExtract = flag.Bool("signature-cases.extract", false,
	"with -corpus, copy the flows of signatureCases from the corpus captures into testdata")

// signatureCase is one corpus flow kept as a test case in
// testdata/<dir>/<name>: meta.txt holds "L4 CLIENT SERVER PCAP" and the
// master protocol nDPI names, NN-c2s.bin and NN-s2c.bin the payloads.
type signatureCase struct {
	dir, name string
	pcap      string
	client    string
	want      string
}

// signatureCasePackets bounds the payloads kept per case.
const signatureCasePackets = 4

var signatureCases = []signatureCase{
	{"bitcoin", "version", "bitcoin.pcap", "192.168.1.142:55317", "BITCOIN"},
	{"monero", "handshake", "monero.pcap", "192.168.2.100:48882", "Monero"},
	{"mining", "stratum", "mining.pcapng", "192.168.2.148:46838", "Mining"},
	{"mining", "xmrig-login", "mining.pcapng", "192.168.2.92:55190", "Mining"},
	{"elasticsearch", "handshake", "elasticsearch.pcap", "172.16.17.102:40282", "Elasticsearch"},
	{"xiaomi", "push", "xiaomi.pcap", "115.164.74.232:5222", "Xiaomi"},
	{"hpvirtgrp", "hello", "hpvirtgrp.pcap", "192.168.2.100:46570", "HP_VIRTGRP"},
	{"spotify", "discovery", "telegram.pcap", "192.168.1.53:57621", "Spotify"},
	{"spotify", "access-point", "spotify_tcp.pcap", "10.0.2.15:48628", "Spotify"},
	{"mssql", "prelogin", "mssql_tds.pcap", "10.111.111.111:1111", "MsSQL-TDS"},
	{"mssql", "rpc", "mssql_tds.pcap", "10.111.111.111:4444", "MsSQL-TDS"},
	{"tplink", "discovery", "tplink_shp.pcap", "192.168.242.40:9999", "TPLINK_SHP"},
	{"bjnp", "discovery", "bjnp.pcap", "192.168.185.141:50087", "BJNP"},
	{"bacnet", "who-is", "bacnet.pcap", "65.49.20.98:53234", "BACnet"},
	{"can", "iso11898", "can.pcap", "207.134.64.89:36251", "Controller_Area_Network"},
	{"ripeatlas", "probe", "ripe_atlas.pcap", "207.246.88.254:56857", "RipeAtlas"},
	{"zug", "request", "zug.pcap", "197.130.35.95:39594", "ZUG"},
	{"crynetwork", "connect", "crynet.pcap", "192.168.2.100:61837", "CryNetwork"},
	{"riotgames", "ping", "riotgames.pcap", "192.168.2.100:62854", "RiotGames"},
	{"riotgames", "game-trailer", "riotgames.pcap", "192.168.2.100:49298", "RiotGames"},
	{"nano", "handshake", "nano.pcapng", "192.168.88.231:59642", "Nano"},
	{"yojimbo", "connection-request", "yojimbo.pcap", "127.0.0.1:34638", "Yojimbo"},
	{"kcp", "push", "kcp.pcap", "[::1]:47356", "KCP"},
	{"rx", "call", "rx.pcap", "131.114.219.168:41559", "RX"},
	{"hsrp", "v1-hello", "hsrp0.pcap", "10.28.168.253:1985", "HSRP"},
	{"hsrp", "v2-ipv6", "hsrp2_ipv6.pcapng", "[fe80::1]:2029", "HSRP"},
	{"wsd", "probe", "upnp.pcap", "192.168.61.66:58931", "WSD"},
	{"natpmp", "mapping", "natpmp.pcap", "192.168.1.128:36852", "NAT-PMP"},
	{"rmcp", "ping", "rmcp.pcap", "54.229.154.152:59937", "RMCP"},
	{"ntp", "v4-client", "tls_certificate_too_long.pcap", "192.168.1.121:49216", "NTP"},
	{"ntp", "v2-monlist", "NTPv2.pcap", "208.104.95.10:123", "NTP"},
	{"dnp3", "link", "dnp3.pcap", "10.0.0.8:2789", "DNP3"},
	{"iec60870", "startdt", "iec60780-5-104.pcap", "172.27.248.109:1568", "IEC60870"},
	{"wireguard", "handshake", "wireguard.pcap", "10.9.0.1:43462", "WireGuard"},
	{"postgresql", "startup", "pgsql.pcap", "127.0.0.1:45930", "PostgreSQL"},
	{"mongodb", "query", "mongodb.pcap", "10.10.10.12:55582", "MongoDB"},
}

func (c signatureCase) path() string { return filepath.Join("testdata", c.dir, c.name) }

// TestExtractSignatureCases writes the cases of signatureCases again from
// the corpus captures.
func TestExtractSignatureCases(t *testing.T) {
	if *corpusDir == "" || !*signatureExtract {
		t.Skip("set -corpus and -signature-cases.extract to copy the cases from the corpus")
	}
	for _, c := range signatureCases {
		flows, err := pcapflows.Read(filepath.Join(*corpusDir, "pcap", c.pcap))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, cf := range flows {
			if cf.Client.String() == c.client {
				writeSignatureCase(t, c, cf)
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no flow of %s in %s", c.path(), c.client, c.pcap)
		}
	}
}

func writeSignatureCase(t *testing.T, c signatureCase, cf *pcapflows.Flow) {
	dir := c.path()
	must(t, os.RemoveAll(dir))
	must(t, os.MkdirAll(dir, 0o755))
	meta := fmt.Sprintf("%s %s %s %s\n%s\n", cf.L4, cf.Client, cf.Server, c.pcap, c.want)
	must(t, os.WriteFile(filepath.Join(dir, "meta.txt"), []byte(meta), 0o644))
	for i, p := range cf.Packets[:min(len(cf.Packets), signatureCasePackets)] {
		suffix := "c2s"
		if p.Dir == pcapflows.ServerToClient {
			suffix = "s2c"
		}
		must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d-%s.bin", i, suffix)), p.Payload, 0o644))
	}
}

// loadSignatureCase reads a case directory into a flow and the master
// protocol expected from it.
func loadSignatureCase(t testing.TB, dir string) (*pcapflows.Flow, string) {
	t.Helper()
	meta, err := os.ReadFile(filepath.Join(dir, "meta.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var l4, client, server, pcap, want string
	if _, err := fmt.Sscan(string(meta), &l4, &client, &server, &pcap, &want); err != nil {
		t.Fatalf("%s/meta.txt: %v", dir, err)
	}
	cf := &pcapflows.Flow{L4: l4, Client: netip.MustParseAddrPort(client), Server: netip.MustParseAddrPort(server)}
	cf.Packets = readCasePayloads(t, dir)
	return cf, want
}

// signatureCaseDirs returns every case directory of the signature
// dissectors.
func signatureCaseDirs(t testing.TB) []string {
	metas, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "meta.txt"))
	if len(metas) == 0 {
		t.Fatal("no signature cases in testdata")
	}
	var dirs []string
	for _, m := range metas {
		dirs = append(dirs, filepath.Dir(m))
	}
	return dirs
}

// TestSignatureCases replays each case through the dissector of its
// protocol alone, then through all signature dissectors in registry order.
func TestSignatureCases(t *testing.T) {
	for _, dir := range signatureCaseDirs(t) {
		t.Run(strings.TrimPrefix(dir, "testdata/"), func(t *testing.T) {
			cf, want := loadSignatureCase(t, dir)
			d := signatureDissector(t, want)
			if got := replay(cf, []Dissector{d}).Master; got != want {
				t.Errorf("%s alone: master %q, want %q", d.Name(), got, want)
			}
			if got := replay(cf, signatureDissectors).Master; got != want {
				t.Errorf("all signature dissectors: master %q, want %q", got, want)
			}
		})
	}
}

func signatureDissector(t testing.TB, name string) Dissector {
	for _, d := range signatureDissectors {
		if d.Name() == name {
			return d
		}
	}
	t.Fatalf("no signature dissector named %q", name)
	return nil
}

// TestSignatureRejectsOthers offers each dissector the cases of every
// other protocol: the signature cases, and the DNS, HTTP, SSH and DHCP
// flows of the L7 golden cases.
func TestSignatureRejectsOthers(t *testing.T) {
	type other struct {
		name string
		flow *pcapflows.Flow
		want string
	}
	var others []other
	for _, dir := range signatureCaseDirs(t) {
		cf, want := loadSignatureCase(t, dir)
		others = append(others, other{dir, cf, want})
	}
	l7 := l7CaseFiles()
	for _, m := range l7 {
		others = append(others, other{filepath.Dir(m), loadCase(t, filepath.Dir(m)), ""})
	}
	for _, d := range signatureDissectors {
		for _, o := range others {
			if o.want == d.Name() {
				continue
			}
			if got := replay(o.flow, []Dissector{d}).Master; got != "" {
				t.Errorf("%s claims %s as %q", d.Name(), o.name, got)
			}
		}
	}
}
