package dpi

import "testing"

func TestFTPControlCases(t *testing.T) {
	checkPayloadCases(t, FTPControl{}, "ftp_control")
}

func TestFTPControlExchange(t *testing.T) {
	tests := []struct {
		name             string
		greeting, client string
		want             Verdict
	}{
		{"login", "220 ready\r\n", "USER anonymous\r\n", Done},
		{"lower case command", "220 ready\r\n", "user anonymous\r\n", Done},
		{"tls", "220-welcome\r\n", "AUTH TLS\r\n", Claimed},
		{"smtp greeting", "220 mail ESMTP\r\n", "EHLO client\r\n", NotMine},
		{"not a greeting", "421 busy\r\n", "USER anonymous\r\n", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: 6}
			v := (FTPControl{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: []byte(tt.greeting)})
			if v == NeedMore {
				v = (FTPControl{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: []byte(tt.client)})
			}
			if v != tt.want {
				t.Errorf("verdict %v, want %v", v, tt.want)
			}
		})
	}
}

func TestFTPControlAuthIsFTPS(t *testing.T) {
	f := &Flow{Protocol: 6}
	(FTPControl{}).Inspect(f, &Packet{Dir: ServerToClient, Payload: []byte("220 ready\r\n")})
	(FTPControl{}).Inspect(f, &Packet{Dir: ClientToServer, Payload: []byte("AUTH TLS\r\n")})
	if f.Master != "FTPS" {
		t.Errorf("master %q, want FTPS", f.Master)
	}
}

func FuzzFTPControl(f *testing.F) {
	fuzzDissector(f, FTPControl{}, "ftp_control")
}
