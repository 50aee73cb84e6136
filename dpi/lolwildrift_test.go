package dpi

import "testing"

func TestLoLWildRiftCases(t *testing.T) {
	checkPayloadCases(t, LoLWildRift{}, "lolwildrift")
}

func FuzzLoLWildRift(f *testing.F) {
	fuzzDissector(f, LoLWildRift{}, "lolwildrift")
}
