package flow

import (
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
// returns the record of every flow, keyed by "client - server".
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
		records[endpoint(r.ClientIP, r.ClientPort)+" - "+endpoint(r.ServerIP, r.ServerPort)] = r
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
			"12.129.206.130:1119 - 192.168.1.128:1",
			"12.129.236.254:1119 - 192.168.1.128:1",
			"121.254.200.130:1119 - 192.168.1.128:1",
			"202.9.66.76:1119 - 192.168.1.128:1",
		}},
		// A SYN followed by a RST from the server: connection refused.
		{"log4j-webapp-exploit.pcap", "tcp_issues", []string{"172.16.238.10:55498 - 10.10.10.31:9001"}},
		// A lone RST from a web server, the reply to a probe.
		{"KakaoTalk_chat.pcap", "tcp_issues", []string{"10.24.82.188:34503 - 120.28.26.242:80"}},
		// ICMP payloads of high entropy; KakaoTalk_chat.pcap has an ICMP
		// flow of low entropy.
		{"malware.pcap", "suspicious_entropy", []string{"192.168.7.7 - 144.139.247.220"}},
		{"stun.pcap", "suspicious_entropy", []string{"192.168.12.169 - 74.125.247.128"}},
		{"KakaoTalk_chat.pcap", "suspicious_entropy", nil},
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
