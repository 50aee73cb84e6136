package dpi

import "testing"

func TestUsenetCases(t *testing.T) {
	checkProtocolCases(t, Usenet{})
}

func TestUsenetSession(t *testing.T) {
	tests := []struct {
		name              string
		greeting, command string
		want              Verdict
	}{
		{"reader", "200 news.example.org ready\r\n", "MODE READER\r\n", Done},
		{"no posting", "201 news.example.org ready\r\n", "authinfo user bob\r\n", Done},
		{"ftp banner", "220 ftp ready\r\n", "USER bob\r\n", NotMine},
		{"http after greeting", "200 ok\r\n", "GET / HTTP/1.1\r\n", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolTCP}
			v := (Usenet{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: []byte(tt.greeting)})
			if v == NeedMore {
				v = (Usenet{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: []byte(tt.command)})
			}
			if v != tt.want {
				t.Errorf("verdict %v, want %v", v, tt.want)
			}
		})
	}
}

func FuzzUsenet(f *testing.F) {
	fuzzDissector(f, Usenet{}, "usenet")
}
