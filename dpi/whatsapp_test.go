package dpi

import "testing"

func TestWhatsAppCases(t *testing.T) {
	checkPayloadCases(t, WhatsApp{}, "whatsapp")
}

func TestWhatsAppPrologue(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   bool
	}{
		{"edge prologue", "ED\x00\x01", true},
		{"wa prologue", "WA\x01\x05\x00\x00\x1a\xf8", true},
		{"wa zero frame", "WA\x01\x05\x00\x00\x00", false},
		{"wa version zero", "WA\x00\x05\x00\x00\x1a", false},
		{"wa minor too high", "WA\x01\x20\x00\x00\x1a", false},
		{"text starting WA", "WAIT FOR ME", false},
		{"truncated", "WA\x01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := whatsappPrologue([]byte(tt.stream)); got != tt.want {
				t.Errorf("whatsappPrologue = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzWhatsApp(f *testing.F) {
	fuzzDissector(f, WhatsApp{}, "whatsapp")
}
