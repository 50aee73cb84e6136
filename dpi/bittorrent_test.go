package dpi

import "testing"

func TestBitTorrentCases(t *testing.T) {
	checkPayloadCases(t, BitTorrent{}, "bittorrent")
}

func TestBitTorrentKRPC(t *testing.T) {
	tests := []struct {
		name    string
		message string
		want    bool
	}{
		{"ping query", "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", true},
		{"response", "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re", true},
		{"unknown type", "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:xe", false},
		{"no type", "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aae", false},
		{"not a dictionary", "l1:y1:qe", false},
		{"truncated", "d1:y1:", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bittorrentKRPC([]byte(tt.message)); got != tt.want {
				t.Errorf("bittorrentKRPC = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBitTorrentUTPAckMismatch(t *testing.T) {
	syn := []byte{0x41, 0, 0x45, 0x67, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0x23, 0xc6, 0, 0}
	state := []byte{0x21, 0, 0x45, 0x67, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0x45, 0x67, 0x23, 0xc7}
	f := &Flow{Protocol: 17}
	if bittorrentUTP(f, &Packet{Dir: ClientToServer, Payload: syn}) {
		t.Fatal("SYN alone claimed")
	}
	if bittorrentUTP(f, &Packet{Dir: ServerToClient, Payload: state}) {
		t.Error("STATE acknowledging another sequence number claimed")
	}
	state[19] = 0xc6
	if !bittorrentUTP(f, &Packet{Dir: ServerToClient, Payload: state}) {
		t.Error("STATE acknowledging the SYN not claimed")
	}
}

func FuzzBitTorrent(f *testing.F) {
	fuzzDissector(f, BitTorrent{}, "bittorrent")
}
