package dpi

import "testing"

func TestKakaoTalkVoiceCases(t *testing.T) {
	checkPayloadCases(t, KakaoTalkVoice{}, "kakaotalkvoice")
}

func FuzzKakaoTalkVoice(f *testing.F) {
	fuzzDissector(f, KakaoTalkVoice{}, "kakaotalkvoice")
}
