package dpi

import "testing"

func TestGaijinEntertainmentCases(t *testing.T) {
	checkProtocolCases(t, GaijinEntertainment{})
}

func TestGaijinMetric(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    bool
	}{
		{"desktop", "app.start,env=production,circuit=production,application=client:1|c", true},
		{"mobile", "app.stage,env=production,circuit=wtm-production,stage=init:1|c", true},
		{"no circuit", "app.start,env=production,application=client:1|c", false},
		{"no value", "app.start,env=production,circuit=production", false},
		{"binary", "app.start,env=production,circuit=\x00:1|c", false},
		{"plain statsd", "page.views:1|c", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gaijinMetric([]byte(tt.payload)); got != tt.want {
				t.Errorf("gaijinMetric = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzGaijinEntertainment(f *testing.F) {
	fuzzDissector(f, GaijinEntertainment{}, "gaijin")
}
