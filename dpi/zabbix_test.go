package dpi

import "testing"

func TestZabbixCases(t *testing.T) {
	checkPayloadCases(t, Zabbix{}, "zabbix")
}

func TestZabbixFlags(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   Verdict
	}{
		{"protocol flag", "ZBXD\x01\x05\x00\x00\x00\x00\x00\x00\x00hello", Done},
		{"compressed", "ZBXD\x03\x05\x00\x00\x00\x09\x00\x00\x00hello", Done},
		{"no protocol flag", "ZBXD\x02\x05\x00\x00\x00\x00\x00\x00\x00hello", NotMine},
		{"unknown flag", "ZBXD\x11\x05\x00\x00\x00\x00\x00\x00\x00hello", NotMine},
		{"empty data", "ZBXD\x01\x00\x00\x00\x00\x00\x00\x00\x00", NotMine},
		{"truncated", "ZBXD\x01", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: 6}
			if got := (Zabbix{}).Inspect(f, &Packet{Payload: []byte(tt.header)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzZabbix(f *testing.F) {
	fuzzDissector(f, Zabbix{}, "zabbix")
}
