package dpi

import "testing"

func TestTelegramCases(t *testing.T) {
	checkPayloadCases(t, Telegram{}, "telegram")
}

func TestTelegramRequestType(t *testing.T) {
	req := make([]byte, telegramReflectorRequestLen)
	for i := telegramPeerTagLen; i < telegramPeerTagLen+telegramFillerLen+4; i++ {
		req[i] = 0xff
	}
	req[telegramPeerTagLen+telegramFillerLen] = 0xfe
	f := &Flow{Protocol: 17}
	if v := (Telegram{}).Inspect(f, &Packet{Payload: req}); v != Done {
		t.Fatalf("request: verdict %v, want Done", v)
	}
	req[telegramPeerTagLen+telegramFillerLen] = 0xfd
	if v := (Telegram{}).Inspect(&Flow{Protocol: 17}, &Packet{Payload: req}); v != NotMine {
		t.Errorf("other request type: verdict %v, want NotMine", v)
	}
}

func FuzzTelegram(f *testing.F) {
	fuzzDissector(f, Telegram{}, "telegram")
}
