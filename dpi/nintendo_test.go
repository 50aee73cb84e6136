package dpi

import (
	"strings"
	"testing"
)

func TestNintendoCases(t *testing.T) {
	checkPayloadCases(t, Nintendo{}, "nintendo")
}

func TestNintendoHeader(t *testing.T) {
	pad := strings.Repeat("\x00", nintendoMinPayload)
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"session", "\x32\xab\x98\x64\x02" + pad, Done},
		{"matchmaking", "\x32\xab\x98\x64\x01" + pad, NotMine},
		{"other magic", "\x32\xab\x98\x65\x02" + pad, NotMine},
		{"too short", "\x32\xab\x98\x64\x02" + pad[:10], NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP}
			if got := (Nintendo{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzNintendo(f *testing.F) {
	fuzzDissector(f, Nintendo{}, "nintendo")
}
