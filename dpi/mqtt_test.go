package dpi

import "testing"

func TestMQTTCases(t *testing.T) {
	checkProtocolCases(t, MQTT{})
}

func TestMQTTPacket(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"connect 3.1.1", "\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", true},
		{"connect 3.1", "\x10\x0e\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x00", true},
		{"connect bad level", "\x10\x0c\x00\x04MQTT\x09\x02\x00\x3c\x00\x00", false},
		{"connect length mismatch", "\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", false},
		{"publish", "\x30\x07\x00\x03a/bhi", true},
		{"publish empty topic", "\x30\x04\x00\x00hi", false},
		{"publish qos 3", "\x36\x07\x00\x03a/bhi", false},
		{"pingreq", "\xc0\x00", true},
		{"pingresp", "\xd0\x00", true},
		{"pingreq with body", "\xc0\x01\x00", false},
		{"unterminated length", "\x30\xff\xff\xff\xff\x00", false},
		{"one byte", "\xc0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mqttPacket([]byte(tt.payload)); got != tt.want {
				t.Errorf("mqttPacket = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzMQTT(f *testing.F) {
	fuzzDissector(f, MQTT{}, "mqtt")
}
