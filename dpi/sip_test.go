package dpi

import "testing"

func TestSIPCases(t *testing.T) {
	checkPayloadCases(t, SIP{}, "sip")
}

func TestSIPStartLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		want bool
	}{
		{"invite", "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n", true},
		{"register sips", "REGISTER sips:ss2.biloxi.example.com SIP/2.0\r\n", true},
		{"tel uri", "INVITE tel:+1-201-555-0123 SIP/2.0\r\n", true},
		{"upper case scheme", "OPTIONS SIP:carol@chicago.com SIP/2.0\r\n", true},
		{"status", "SIP/2.0 180 Ringing\r\n", true},
		{"status without code", "SIP/2.0 OK\r\n", false},
		{"http request", "OPTIONS * HTTP/1.1\r\n", false},
		{"http uri", "INVITE http://example.com/ SIP/2.0\r\n", false},
		{"unknown method", "HELLO sip:bob@example.com SIP/2.0\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sipStartLine([]byte(tt.line)); got != tt.want {
				t.Errorf("sipStartLine = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzSIP(f *testing.F) {
	fuzzDissector(f, SIP{}, "sip")
}
