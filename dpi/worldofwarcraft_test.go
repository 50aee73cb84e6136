package dpi

import "testing"

func TestWorldOfWarcraftCases(t *testing.T) {
	checkProtocolCases(t, WorldOfWarcraft{})
}

func TestWorldOfWarcraftGreeting(t *testing.T) {
	const text = "WORLD OF WARCRAFT CONNECTION - CLIENT TO SERVER\x00"
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"greeting", "\x30\x00" + text, Done},
		{"length mismatch", "\x31\x00" + text, NotMine},
		{"other text", "\x30\x00" + "WORLD OF TANKS CONNECTION - CLIENT TO SERVER\x00\x00\x00\x00", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolTCP}
			if got := (WorldOfWarcraft{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzWorldOfWarcraft(f *testing.F) {
	fuzzDissector(f, WorldOfWarcraft{}, "worldofwarcraft")
}
