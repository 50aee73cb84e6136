package dpi

import "testing"

func TestSyslogCases(t *testing.T) {
	checkPayloadCases(t, Syslog{}, "syslog")
}

func TestSyslogMessage(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"rfc 5424", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog", true},
		{"bsd", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed", true},
		{"pri too large", "<192>Oct 11 22:14:15 mymachine", false},
		{"four digits", "<0034>Oct 11 22:14:15 mymachine", false},
		{"no digits", "<>Oct 11", false},
		{"binary after pri", "<34>\x00\x01\x02\x03", false},
		{"html", "<html><body>", false},
		{"pri only", "<34>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := syslogMessage([]byte(tt.payload)); got != tt.want {
				t.Errorf("syslogMessage = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSyslogOctetCounting(t *testing.T) {
	got := string(syslogSkipOctetCount([]byte("52 <34>Oct 11 22:14:15 mymachine")))
	if got != "<34>Oct 11 22:14:15 mymachine" {
		t.Errorf("syslogSkipOctetCount = %q", got)
	}
}

func FuzzSyslog(f *testing.F) {
	fuzzDissector(f, Syslog{}, "syslog")
}
