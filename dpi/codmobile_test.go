package dpi

import "testing"

func TestCoDMobileCases(t *testing.T) {
	checkPayloadCases(t, CoDMobile{}, "codmobile")
}

func FuzzCoDMobile(f *testing.F) {
	fuzzDissector(f, CoDMobile{}, "codmobile")
}
