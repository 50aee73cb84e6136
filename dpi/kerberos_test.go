package dpi

import "testing"

func TestKerberosCases(t *testing.T) {
	checkPayloadCases(t, Kerberos{}, "kerberos")
}

func TestKerberosMessage(t *testing.T) {
	tests := []struct {
		name    string
		message string
		exact   bool
		want    bool
	}{
		{"as-req", "\x6a\x09\x30\x07\xa1\x03\x02\x01\x05\xa2\x00", true, true},
		{"krb-error long length", "\x7e\x81\x07\x30\x05\xa0\x03\x02\x01\x05", true, true},
		{"start of longer message", "\x6c\x20\x30\x1e\xa1\x03\x02\x01\x05", false, true},
		{"length too short", "\x6a\x03\x30\x07\xa1\x03\x02\x01\x05", true, false},
		{"pvno 4", "\x6a\x07\x30\x05\xa1\x03\x02\x01\x04", true, false},
		{"not application tag", "\x30\x07\x30\x05\xa1\x03\x02\x01\x05", true, false},
		{"unknown message type", "\x61\x07\x30\x05\xa1\x03\x02\x01\x05", true, false},
		{"truncated", "\x6a", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kerberosMessage([]byte(tt.message), tt.exact); got != tt.want {
				t.Errorf("kerberosMessage = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzKerberos(f *testing.F) {
	fuzzDissector(f, Kerberos{}, "kerberos")
}
