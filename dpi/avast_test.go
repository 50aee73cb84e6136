package dpi

import "testing"

func TestAVASTCases(t *testing.T) {
	checkPayloadCases(t, AVAST{}, "avast")
}

func TestAVASTHeader(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"length matches", "NOSA\x00\x0a\x01\x02\x00\x00", Done},
		{"length too long", "NOSA\x00\x60\x01\x02\x00\x00", NotMine},
		{"length too short", "NOSA\x00\x06\x01\x02\x00\x00", NotMine},
		{"other magic", "ASON\x00\x0a\x01\x02\x00\x00", NotMine},
		{"truncated", "NOSA\x00", NotMine},
		{"http", "GET / HTTP/1.1\r\n\r\n", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolTCP}
			if got := (AVAST{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAVASTNotOverUDP(t *testing.T) {
	f := &Flow{Protocol: ipProtocolUDP}
	if got := (AVAST{}).Inspect(f, &Packet{Payload: []byte("NOSA\x00\x0a\x01\x02\x00\x00")}); got != NotMine {
		t.Errorf("verdict %v over UDP, want NotMine", got)
	}
}

func FuzzAVAST(f *testing.F) {
	fuzzDissector(f, AVAST{}, "avast")
}
