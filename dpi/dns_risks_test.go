package dpi

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDNSRisks feeds one response from testdata/dnsrisk to the DNS
// dissector and checks the risks it records.
func TestDNSRisks(t *testing.T) {
	tests := []struct {
		file  string
		proto uint8
		want  []string
	}{
		{"large.bin", ipProtocolUDP, []string{"dns_large_packet"}},
		{"zero-ttl.bin", ipProtocolUDP, []string{"minor_issues"}},
		{"plain.bin", ipProtocolUDP, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			msg, err := os.ReadFile(filepath.Join("testdata", "dnsrisk", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f := &Flow{Protocol: tt.proto, claimer: -1,
				Client: netip.MustParseAddrPort("10.0.0.1:40000"),
				Server: netip.MustParseAddrPort("10.0.0.2:53")}
			if v := (DNS{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: msg}); v == NotMine || v == NeedMore {
				t.Fatalf("verdict %v, want the flow claimed", v)
			}
			if !slices.Equal(f.Risks, tt.want) {
				t.Errorf("risks %v, want %v", f.Risks, tt.want)
			}
		})
	}
}
