package dpi

import "testing"

func TestFLUTECases(t *testing.T) {
	checkPayloadCases(t, FLUTE{}, "flute")
}

func FuzzFLUTE(f *testing.F) {
	fuzzDissector(f, FLUTE{}, "flute")
}
