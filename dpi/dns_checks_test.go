package dpi

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDNSCheckPacket feeds one message from testdata/dnschecks to the DNS
// dissector as the first packet of a flow, or of a flow already taken for
// DNS, and checks the risks the message raises.
func TestDNSCheckPacket(t *testing.T) {
	tests := []struct {
		file   string
		dir    Direction
		master string
		want   []string
	}{
		{"query-valid.bin", ClientToServer, "", nil},
		{"query-invalid-chars.bin", ClientToServer, "", []string{"invalid_characters"}},
		{"query-label-overrun.bin", ClientToServer, "", []string{"malformed_packet"}},
		{"query-pointer.bin", ClientToServer, "", nil},
		{"query-bad-header.bin", ClientToServer, "", nil},
		{"query-bad-header.bin", ClientToServer, "DNS", []string{"malformed_packet"}},
		{"response-questions-overrun.bin", ServerToClient, "", []string{"malformed_packet"}},
		{"response-rcode.bin", ClientToServer, "DNS", []string{"error_code_detected", "malformed_packet"}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.master, func(t *testing.T) {
			msg, err := os.ReadFile(filepath.Join("testdata", "dnschecks", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f := &Flow{Protocol: ipProtocolUDP, claimer: -1, Master: tt.master,
				Client: netip.MustParseAddrPort("192.168.1.2:2744"),
				Server: netip.MustParseAddrPort("192.168.1.1:53")}
			f.Packets[tt.dir] = 1
			(DNS{}).Inspect(f, &Packet{Dir: tt.dir, Payload: msg})
			got := slices.DeleteFunc(slices.Clone(f.Risks), func(r string) bool {
				return r != "malformed_packet" && r != "invalid_characters" && r != "error_code_detected"
			})
			if !slices.Equal(got, tt.want) {
				t.Errorf("risks %v, want %v", f.Risks, tt.want)
			}
		})
	}
}

func TestDNSCheckMDNSSkipped(t *testing.T) {
	msg, err := os.ReadFile(filepath.Join("testdata", "dnschecks", "query-invalid-chars.bin"))
	if err != nil {
		t.Fatal(err)
	}
	f := &Flow{Protocol: ipProtocolUDP, claimer: -1,
		Client: netip.MustParseAddrPort("192.168.1.2:5353"),
		Server: netip.MustParseAddrPort("224.0.0.251:5353")}
	f.Packets[ClientToServer] = 1
	(DNS{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: msg})
	if slices.Contains(f.Risks, "invalid_characters") {
		t.Errorf("mDNS query raised invalid_characters: %v", f.Risks)
	}
}

func FuzzDNSCheckMessage(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "dnschecks", "*.bin"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		flow := &Flow{Protocol: ipProtocolUDP}
		dnsCheckMessage(flow, msg)
	})
}

func BenchmarkDNSCheckMessage(b *testing.B) {
	msg, err := os.ReadFile(filepath.Join("testdata", "dnschecks", "query-valid.bin"))
	if err != nil {
		b.Fatal(err)
	}
	f := &Flow{Protocol: ipProtocolUDP}
	b.ReportAllocs()
	for b.Loop() {
		dnsCheckMessage(f, msg)
	}
}
