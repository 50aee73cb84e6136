package dpi

import "testing"

func TestIMOCases(t *testing.T) {
	checkPayloadCases(t, IMO{}, "imo")
}

func FuzzIMO(f *testing.F) {
	fuzzDissector(f, IMO{}, "imo")
}
