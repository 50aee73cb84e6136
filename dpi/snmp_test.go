package dpi

import "testing"

func TestSNMPCases(t *testing.T) {
	checkPayloadCases(t, SNMP{}, "snmp")
}

func TestSNMPMessage(t *testing.T) {
	tests := []struct {
		name    string
		message string
		want    bool
	}{
		{"v2c get", "\x30\x0e\x02\x01\x01\x04\x06public\xa0\x01\x00", true},
		{"v1 trap", "\x30\x0e\x02\x01\x00\x04\x06public\xa4\x01\x00", true},
		{"v3", "\x30\x05\x02\x01\x03\x30\x00", true},
		{"version 2", "\x30\x0e\x02\x01\x02\x04\x06public\xa0\x01\x00", false},
		{"length mismatch", "\x30\x0f\x02\x01\x01\x04\x06public\xa0\x01\x00", false},
		{"not a pdu", "\x30\x0e\x02\x01\x01\x04\x06public\x30\x01\x00", false},
		{"community overruns", "\x30\x0e\x02\x01\x01\x04\x46public\xa0\x01\x00", false},
		{"truncated", "\x30", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := snmpMessage([]byte(tt.message)); got != tt.want {
				t.Errorf("snmpMessage = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzSNMP(f *testing.F) {
	fuzzDissector(f, SNMP{}, "snmp")
}
