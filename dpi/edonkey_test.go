package dpi

import "testing"

func TestEDonkeyCases(t *testing.T) {
	checkPayloadCases(t, EDonkey{}, "edonkey")
}

func FuzzEDonkey(f *testing.F) {
	fuzzDissector(f, EDonkey{}, "edonkey")
}
