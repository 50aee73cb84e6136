package flow

import (
	"bytes"
	"errors"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/record"
)

// replayRecords runs a capture from testdata through a table with DPI and
// returns the record of every flow, keyed by "client - server", with " #2"
// and up added for later flows between the same endpoints.
func replayRecords(t *testing.T, name string) map[string]*record.Flow {
	t.Helper()
	src, err := capture.OpenFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	records := map[string]*record.Flow{}
	table := NewTable(DefaultConfig(), dpi.NewEngine(dpi.DefaultConfig()), func(f *Flow) {
		r := f.Record()
		key := endpoint(r.ClientIP, r.ClientPort) + " - " + endpoint(r.ServerIP, r.ServerPort)
		// A later connection between the same endpoints gets its own key.
		for n := 2; records[key] != nil; n++ {
			key = endpoint(r.ClientIP, r.ClientPort) + " - " + endpoint(r.ServerIP, r.ServerPort) + " #" + strconv.Itoa(n)
		}
		records[key] = r
	})
	dec := decode.New(decode.Config{})
	var cp capture.Packet
	var p decode.Packet
	for {
		err := src.ReadPacket(&cp)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if dec.DecodeFrame(cp.Data, cp.WireLength, cp.LinkType, cp.Timestamp, &p) {
			table.Add(&p, cp.WireLength, cp.Timestamp)
		}
	}
	table.Flush()
	return records
}

func endpoint(ip string, port uint16) string {
	if port == 0 {
		return ip
	}
	return ip + ":" + strconv.Itoa(int(port))
}

// TestPacketRisks checks every flow of each capture: the flows listed
// carry the risk, as nDPI reports for them, and no other flow does.
func TestPacketRisks(t *testing.T) {
	tests := []struct {
		capture string
		risk    string
		flows   []string
	}{
		{"ossfuzz_seed_fake_traces_1.pcapng", "tcp_issues", []string{
			// TCP NULL scans: segments without any flag. The endpoint on
			// port 1 sends first to a higher port, so flowlens takes it for
			// the server.
			"192.168.1.128:1 - 1.2.3.4:10",
			"192.168.1.128:1 - 1.2.3.4:11",
			// The same endpoints again after the first scan flow closed.
			"192.168.1.128:1 - 1.2.3.4:11 #2",
			"12.129.206.130:1119 - 192.168.1.128:1",
			"12.129.236.254:1119 - 192.168.1.128:1",
			"121.254.200.130:1119 - 192.168.1.128:1",
			"202.9.66.76:1119 - 192.168.1.128:1",
		}},
		// A SYN followed by a RST from the server: connection refused.
		{"log4j-webapp-exploit.pcap", "tcp_issues", []string{"172.16.238.10:55498 - 10.10.10.31:9001"}},
		// A lone RST from a web server, the reply to a probe.
		{"KakaoTalk_chat.pcap", "tcp_issues", []string{"10.24.82.188:34503 - 120.28.26.242:80"}},
		// ICMP payloads of high entropy.
		{"malware.pcap", "suspicious_entropy", []string{"192.168.7.7 - 144.139.247.220"}},
		{"stun.pcap", "suspicious_entropy", []string{"192.168.12.169 - 74.125.247.128"}},
		// An ICMP flow of low entropy, and TLS flows guessed by their port
		// whose encrypted first packets are followed by packets without
		// payload, which clear the verdict.
		{"KakaoTalk_chat.pcap", "suspicious_entropy", nil},
		// Kerberos, LDAP and SMB sessions whose dissectors rejected the
		// encrypted or compressed payload, so they are named by port only,
		// and two flows of unknown application.
		{"kerberos.pcap", "suspicious_entropy", []string{
			"172.16.8.201:49156 - 172.16.8.8:445", "172.16.8.201:49159 - 172.16.8.8:88",
			"172.16.8.201:49161 - 172.16.8.8:389", "172.16.8.201:49162 - 172.16.8.8:88",
			"172.16.8.201:49168 - 172.16.8.8:88", "172.16.8.201:49169 - 172.16.8.8:389",
			"172.16.8.201:49170 - 172.16.8.8:88", "172.16.8.201:49172 - 172.16.8.8:389",
			"172.16.8.201:49173 - 172.16.8.8:88", "172.16.8.201:49174 - 172.16.8.8:445",
			"172.16.8.201:49175 - 172.16.8.8:88", "172.16.8.201:49179 - 172.16.8.8:389",
			"172.16.8.201:49180 - 172.16.8.8:389", "172.16.8.201:49183 - 172.16.8.8:88",
			"172.16.8.201:49186 - 172.16.8.8:88", "172.16.8.201:49189 - 172.16.8.8:88",
			"172.16.8.201:49190 - 172.16.8.8:88", "172.16.8.201:49191 - 172.16.8.8:389",
			"172.16.8.201:49192 - 172.16.8.8:88", "172.16.8.201:49193 - 172.16.8.8:389",
			"172.16.8.201:49194 - 172.16.8.8:445", "172.16.8.201:49195 - 172.16.8.8:88",
			"172.16.8.201:49196 - 172.16.8.8:88",
			// Sessions to a dynamic port that neither flowlens nor nDPI
			// names.
			"172.16.8.201:49165 - 172.16.8.8:49155", "172.16.8.201:49185 - 172.16.8.8:49155",
		}},
		// Xiaomi's push protocol, a Web service, named by DPI on a first
		// packet of high entropy.
		{"xiaomi.pcap", "suspicious_entropy", []string{
			"192.168.2.100:37708 - 3.127.176.74:5222", "192.168.2.100:45106 - 18.193.233.122:5222",
			"192.168.244.219:45904 - 115.164.74.232:5222", "192.168.247.13:38018 - 115.164.74.232:5222",
			"192.168.93.59:51488 - 97.39.119.172:5222",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.capture+"/"+tt.risk, func(t *testing.T) {
			records := replayRecords(t, tt.capture)
			for _, want := range tt.flows {
				if _, ok := records[want]; !ok {
					t.Errorf("flow %s not found", want)
				}
			}
			for key, r := range records {
				want := slices.Contains(tt.flows, key)
				if got := slices.Contains(r.Risks, tt.risk); got != want {
					t.Errorf("flow %s (%s): has %s = %v, want %v", key, r.App, tt.risk, got, want)
				}
			}
		})
	}
}

func TestPayloadEntropy(t *testing.T) {
	uniform := make([]byte, 256)
	for i := range uniform {
		uniform[i] = byte(i)
	}
	tests := []struct {
		name    string
		payload []byte
		want    float64
	}{
		{"empty", nil, 0},
		{"one byte value", []byte("aaaaaaaa"), 0},
		{"two values evenly", []byte("abababab"), 1},
		{"every byte value once", uniform, 8},
		// Counts beyond the c·log2(c) table.
		{"two values in a jumbo frame", bytes.Repeat([]byte("ab"), 4000), 1},
	}
	for _, tt := range tests {
		if got := payloadEntropy(tt.payload); math.Abs(float64(got)-tt.want) > 1e-6 {
			t.Errorf("%s: payloadEntropy = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func BenchmarkPayloadEntropy(b *testing.B) {
	payload := make([]byte, 1460)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	b.ReportAllocs()
	for b.Loop() {
		payloadEntropy(payload)
	}
}
