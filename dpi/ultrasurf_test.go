package dpi

import "testing"

func TestUltraSurfCases(t *testing.T) {
	checkPayloadCases(t, UltraSurf{}, "ultrasurf")
}

func FuzzUltraSurf(f *testing.F) {
	fuzzDissector(f, UltraSurf{}, "ultrasurf")
}
