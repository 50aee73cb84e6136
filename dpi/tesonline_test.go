package dpi

import "testing"

func TestTESOnlineCases(t *testing.T) {
	checkPayloadCases(t, TESOnline{}, "tesonline")
}

func FuzzTESOnline(f *testing.F) {
	fuzzDissector(f, TESOnline{}, "tesonline")
}
