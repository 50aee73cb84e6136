package dpi

import "testing"

func TestANSIC1222Cases(t *testing.T) {
	checkPayloadCases(t, ANSIC1222{}, "c1222")
}

func FuzzANSIC1222(f *testing.F) {
	fuzzDissector(f, ANSIC1222{}, "c1222")
}
