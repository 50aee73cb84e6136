package dpi

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzSignature fuzzes a signature dissector with two payloads, one per
// direction, over UDP and TCP, on its usual port when it has one. The
// seeds are the payloads of its testdata cases.
func fuzzSignature(f *testing.F, d Dissector, dir string) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*", "*.bin"))
	if len(files) == 0 {
		f.Fatalf("no %s payloads in testdata", dir)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, data)
	}
	port := uint16(40000)
	if h, ok := d.(portHinter); ok {
		tcp, udp := h.Ports()
		if len(udp) > 0 {
			port = udp[0]
		} else if len(tcp) > 0 {
			port = tcp[0]
		}
	}
	f.Fuzz(func(t *testing.T, c2s, s2c []byte) {
		fuzzFlow(d, ipProtocolUDP, 50000, port, c2s, s2c)
		fuzzFlow(d, ipProtocolTCP, 50000, port, c2s, s2c)
		fuzzFlow(d, ipProtocolUDP, port, port, s2c, c2s)
	})
}

func FuzzBitcoin(f *testing.F)       { fuzzSignature(f, Bitcoin{}, "bitcoin") }
func FuzzMonero(f *testing.F)        { fuzzSignature(f, Monero{}, "monero") }
func FuzzMining(f *testing.F)        { fuzzSignature(f, Mining{}, "mining") }
func FuzzElasticsearch(f *testing.F) { fuzzSignature(f, Elasticsearch{}, "elasticsearch") }
func FuzzXiaomi(f *testing.F)        { fuzzSignature(f, Xiaomi{}, "xiaomi") }
func FuzzHPVirtGrp(f *testing.F)     { fuzzSignature(f, HPVirtGrp{}, "hpvirtgrp") }
func FuzzSpotify(f *testing.F)       { fuzzSignature(f, Spotify{}, "spotify") }
func FuzzMsSQLTDS(f *testing.F)      { fuzzSignature(f, MsSQLTDS{}, "mssql") }
func FuzzNFS(f *testing.F)           { fuzzSignature(f, NFS{}, "nfs") }
func FuzzTPLinkSHP(f *testing.F)     { fuzzSignature(f, TPLinkSHP{}, "tplink") }
func FuzzBJNP(f *testing.F)          { fuzzSignature(f, BJNP{}, "bjnp") }
func FuzzBACnet(f *testing.F)        { fuzzSignature(f, BACnet{}, "bacnet") }
func FuzzCAN(f *testing.F)           { fuzzSignature(f, ControllerAreaNetwork{}, "can") }
func FuzzRipeAtlas(f *testing.F)     { fuzzSignature(f, RipeAtlas{}, "ripeatlas") }
func FuzzZUG(f *testing.F)           { fuzzSignature(f, ZUG{}, "zug") }
func FuzzCryNetwork(f *testing.F)    { fuzzSignature(f, CryNetwork{}, "crynetwork") }
func FuzzRiotGames(f *testing.F)     { fuzzSignature(f, RiotGames{}, "riotgames") }
func FuzzNano(f *testing.F)          { fuzzSignature(f, Nano{}, "nano") }
func FuzzYojimbo(f *testing.F)       { fuzzSignature(f, Yojimbo{}, "yojimbo") }
func FuzzKCP(f *testing.F)           { fuzzSignature(f, KCP{}, "kcp") }
func FuzzRX(f *testing.F)            { fuzzSignature(f, RX{}, "rx") }
func FuzzHSRP(f *testing.F)          { fuzzSignature(f, HSRP{}, "hsrp") }
func FuzzWSD(f *testing.F)           { fuzzSignature(f, WSD{}, "wsd") }
func FuzzNATPMP(f *testing.F)        { fuzzSignature(f, NATPMP{}, "natpmp") }
func FuzzRMCP(f *testing.F)          { fuzzSignature(f, RMCP{}, "rmcp") }
func FuzzNTP(f *testing.F)           { fuzzSignature(f, NTP{}, "ntp") }
func FuzzDNP3(f *testing.F)          { fuzzSignature(f, DNP3{}, "dnp3") }
func FuzzIEC60870(f *testing.F)      { fuzzSignature(f, IEC60870{}, "iec60870") }
func FuzzWireGuard(f *testing.F)     { fuzzSignature(f, WireGuard{}, "wireguard") }
func FuzzPostgreSQL(f *testing.F)    { fuzzSignature(f, PostgreSQL{}, "postgresql") }
func FuzzMongoDB(f *testing.F)       { fuzzSignature(f, MongoDB{}, "mongodb") }
