package dpi

import (
	"net/netip"
	"testing"
)

func TestTFTPCases(t *testing.T) {
	checkProtocolCases(t, TFTP{})
}

func TestTFTPFirstPacket(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"read request", "\x00\x01file.txt\x00octet\x00", Done},
		{"write request netascii", "\x00\x02a\x00NETASCII\x00", Done},
		{"unknown mode", "\x00\x01file.txt\x00binary\x00", NotMine},
		{"empty file name", "\x00\x01\x00octet\x00", NotMine},
		{"option ack", "\x00\x06blksize\x001468\x00", Done},
		{"option ack unknown option", "\x00\x06color\x00red\x00", NotMine},
		{"data waits for ack", "\x00\x03\x00\x01hello", NeedMore},
		{"error", "\x00\x05\x00\x01File not found\x00", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP}
			if got := (TFTP{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTFTPTransfer(t *testing.T) {
	tests := []struct {
		name string
		ack  string
		dir  Direction
		want Verdict
	}{
		{"ack of the block", "\x00\x04\x00\x07", ServerToClient, Done},
		{"ack of another block", "\x00\x04\x00\x08", ServerToClient, NotMine},
		{"ack from the sender", "\x00\x04\x00\x07", ClientToServer, NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP, Server: netip.MustParseAddrPort("10.0.0.2:50618")}
			if v := (TFTP{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: []byte("\x00\x03\x00\x07data")}); v != NeedMore {
				t.Fatalf("data verdict %v, want NeedMore", v)
			}
			if got := (TFTP{}).Inspect(f, &Packet{Dir: tt.dir, Payload: []byte(tt.ack)}); got != tt.want {
				t.Errorf("ack verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzTFTP(f *testing.F) {
	fuzzDissector(f, TFTP{}, "tftp")
}
