package dpi

import "testing"

func TestDNScryptCases(t *testing.T) {
	checkPayloadCases(t, DNScrypt{}, "dnscrypt")
}

func TestDNScryptCertQuery(t *testing.T) {
	header := "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"certificate query", header + "\x012\x0ddnscrypt-cert\x07example\x00\x00\x10\x00\x01", true},
		{"upper case name", header + "\x012\x0dDNSCRYPT-CERT\x07example\x00\x00\x10\x00\x01", true},
		{"answer", "\x12\x34\x81\x80" + header[4:] + "\x012\x0ddnscrypt-cert\x00", true},
		{"no question", "\x12\x34\x01\x00\x00\x00" + header[6:] + "\x012\x0ddnscrypt-cert\x00", false},
		{"two questions", "\x12\x34\x01\x00\x00\x02" + header[6:] + "\x012\x0ddnscrypt-cert\x00", false},
		{"other name", header + "\x03www\x07example\x03com\x00\x00\x01\x00\x01", false},
		{"truncated", header + "\x012\x0ddnscrypt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dnscryptCertQuestion([]byte(tt.payload)); got != tt.want {
				t.Errorf("dnscryptCertQuestion = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzDNScrypt(f *testing.F) {
	fuzzDissector(f, DNScrypt{}, "dnscrypt")
}
