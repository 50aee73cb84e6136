package dpi

import "testing"

func TestGuessByPort(t *testing.T) {
	tests := []struct {
		proto uint8
		port  uint16
		want  string
		ok    bool
	}{
		{ipProtoTCP, 443, "TLS", true},
		{ipProtoUDP, 443, "QUIC", true},
		{ipProtoTCP, 445, "SMBv23", true},
		{ipProtoTCP, 8009, "AJP", true},
		{ipProtoTCP, 8008, "CiscoVPN", true},
		{ipProtoUDP, 53, "DNS", true},
		{ipProtoUDP, 47808, "BACnet", true},
		{ipProtoTCP, 47808, "", false},
		{ipProtoTCP, 1, "", false},
		{1, 443, "", false}, // ICMP has no ports
	}
	for _, tt := range tests {
		got, ok := guessByPort(tt.proto, tt.port)
		if got != tt.want || ok != tt.ok {
			t.Errorf("guessByPort(%d, %d) = %q, %v; want %q, %v", tt.proto, tt.port, got, ok, tt.want, tt.ok)
		}
	}
}

// TestGuessByPortTruth measures guessByPorts against the flows nDPI
// classified by port ("Match by port").
func TestGuessByPortTruth(t *testing.T) {
	var a agreement
	for _, f := range loadTruth(t) {
		if f.confidence != "port" {
			continue
		}
		proto := uint8(ipProtoTCP)
		if f.l4 == "UDP" {
			proto = ipProtoUDP
		}
		got, _ := guessByPorts(proto, f.serverPort, f.clientPort)
		want := f.master
		if f.app != "" {
			want += "." + f.app
		}
		a.add(got == want, f.l4+" "+want+": got "+got)
	}
	a.report(t, "guessByPorts vs nDPI", 90)
}
