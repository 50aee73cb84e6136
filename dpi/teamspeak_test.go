package dpi

import "testing"

func TestTeamSpeakCases(t *testing.T) {
	checkProtocolCases(t, TeamSpeak{})
}

func TestTeamSpeakInit(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"ts3 init", "TS3INIT1\x00\x65\x00\x00\x88", Done},
		{"other text", "TS2INIT1\x00\x65", NotMine},
		{"short", "TS3", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolUDP}
			if got := (TeamSpeak{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzTeamSpeak(f *testing.F) {
	fuzzDissector(f, TeamSpeak{}, "teamspeak")
}
