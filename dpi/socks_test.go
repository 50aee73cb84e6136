package dpi

import "testing"

func TestSOCKSCases(t *testing.T) {
	checkProtocolCases(t, SOCKS{})
}

func TestSOCKSHandshake(t *testing.T) {
	tests := []struct {
		name            string
		greeting, reply string
		want            Verdict
	}{
		{"v5 no auth", "\x05\x01\x00", "\x05\x00", Done},
		{"v5 two methods", "\x05\x02\x00\x01", "\x05\x02", Done},
		{"v5 none acceptable", "\x05\x01\x00", "\x05\xff", Done},
		{"v5 method count mismatch", "\x05\x02\x00", "\x05\x00", NotMine},
		{"v5 long reply", "\x05\x01\x00", "\x05\x00\x00", NotMine},
		{"v4 connect", "\x04\x01\x00\x50\x5d\xb8\xd8\x77\x00", "\x00\x5a\xdf\xb2\x0a\xb4\x9c\xf9", Done},
		{"v4 rejected", "\x04\x01\x00\x50\x5d\xb8\xd8\x77\x00", "\x00\x5b\x00\x00\x00\x00\x00\x00", Done},
		{"v4 bad result", "\x04\x01\x00\x50\x5d\xb8\xd8\x77\x00", "\x00\x10\x00\x00\x00\x00\x00\x00", NotMine},
		{"v4 unterminated user", "\x04\x01\x00\x50\x5d\xb8\xd8\x77\x61", "\x00\x5a\x00\x00\x00\x00\x00\x00", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolTCP}
			v := (SOCKS{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: []byte(tt.greeting)})
			if v == NeedMore {
				v = (SOCKS{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: []byte(tt.reply)})
			}
			if v != tt.want {
				t.Errorf("verdict %v, want %v", v, tt.want)
			}
		})
	}
}

func FuzzSOCKS(f *testing.F) {
	fuzzDissector(f, SOCKS{}, "socks")
}
