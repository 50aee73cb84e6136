package dpi

import "testing"

func TestIRCCases(t *testing.T) {
	checkProtocolCases(t, IRC{})
}

func TestIRCRegistrationLine(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"nick", "NICK molochtest\r\n", true},
		{"user", "USER guest 0 * :Ronnie Reagan\r\n", true},
		{"capability", "CAP LS 302\r\n", true},
		{"bare LF", "NICK a\n", true},
		{"ftp user", "USER anonymous\r\n", false},
		{"pass", "PASS secret\r\n", false},
		{"no line end", "NICK molochtest", false},
		{"control byte", "NICK a\x01b\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ircRegistrationLine([]byte(tt.payload)); got != tt.want {
				t.Errorf("ircRegistrationLine = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzIRC(f *testing.F) {
	fuzzDissector(f, IRC{}, "irc")
}
