package dpi

import (
	"net/netip"
	"testing"
)

func TestModbusCases(t *testing.T) {
	checkProtocolCases(t, Modbus{})
}

func TestModbusFrame(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		port    uint16
		want    string
	}{
		{"read holding registers", "\x00\xd1\x00\x00\x00\x06\x01\x03\x00\x01\x00\x01", 502, "Modbus"},
		{"exception response", "\x00\xd1\x00\x00\x00\x03\x01\x83\x02", 502, "Modbus"},
		{"umas", "\x00\x00\x00\x00\x00\x04\x00\x5a\x00\x02", 502, "Modbus.UMAS"},
		{"protocol id not zero", "\x00\xd1\x00\x01\x00\x06\x01\x03\x00\x01\x00\x01", 502, ""},
		{"length mismatch", "\x00\xd1\x00\x00\x00\x07\x01\x03\x00\x01\x00\x01", 502, ""},
		{"function zero", "\x00\xd1\x00\x00\x00\x06\x01\x00\x00\x01\x00\x01", 502, ""},
		{"other port", "\x00\xd1\x00\x00\x00\x06\x01\x03\x00\x01\x00\x01", 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolTCP, Server: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), tt.port)}
			(Modbus{}).Inspect(f, &Packet{Payload: []byte(tt.payload)})
			got := f.Master
			if f.App != "" {
				got += "." + f.App
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzModbus(f *testing.F) {
	fuzzDissector(f, Modbus{}, "modbus")
}
