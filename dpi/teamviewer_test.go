package dpi

import (
	"strings"
	"testing"
)

func TestTeamViewerCases(t *testing.T) {
	checkProtocolCases(t, TeamViewer{})
}

func TestTeamViewerMagic(t *testing.T) {
	udp := strings.Repeat("\x00", 10) + "\x03\x17\x24\x47\x50"
	tests := []struct {
		name          string
		proto         uint8
		first, second string
		want          Verdict
	}{
		{"tcp twice", ipProtocolTCP, "\x17\x24\x0a\x20", "\x17\x24\x28\x18", Done},
		{"tcp once", ipProtocolTCP, "\x17\x24\x0a\x20", "\x84\x23\x9d\x26", NotMine},
		{"udp twice", ipProtocolUDP, udp, udp, Done},
		{"udp at start", ipProtocolUDP, "\x17\x24\x0a\x20" + udp, udp, NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: tt.proto}
			v := (TeamViewer{}).Inspect(f, &Packet{Payload: []byte(tt.first)})
			if v == NeedMore {
				v = (TeamViewer{}).Inspect(f, &Packet{Payload: []byte(tt.second)})
			}
			if v != tt.want {
				t.Errorf("verdict %v, want %v", v, tt.want)
			}
		})
	}
}

func FuzzTeamViewer(f *testing.F) {
	fuzzDissector(f, TeamViewer{}, "teamviewer")
}
