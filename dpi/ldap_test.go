package dpi

import "testing"

func TestLDAPCases(t *testing.T) {
	checkProtocolCases(t, LDAP{})
}

func TestLDAPMessage(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"bind request", "\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00", true},
		{"bind response", "\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00", true},
		{"unbind request", "\x30\x05\x02\x01\x02\x42\x00", true},
		{"unbind constructed", "\x30\x05\x02\x01\x02\x62\x00", false},
		{"snmp get", "\x30\x29\x02\x01\x00\x04\x06public\xa0\x1c", false},
		{"operation out of range", "\x30\x05\x02\x01\x02\x7f\x00", false},
		{"long message id", "\x30\x0c\x02\x05\x01\x01\x01\x01\x01\x60\x00", false},
		{"not a sequence", "\x31\x05\x02\x01\x02\x42\x00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ldapMessage([]byte(tt.payload)); got != tt.want {
				t.Errorf("ldapMessage = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzLDAP(f *testing.F) {
	fuzzDissector(f, LDAP{}, "ldap")
}
