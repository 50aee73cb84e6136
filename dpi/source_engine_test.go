package dpi

import "testing"

func TestSourceEngineCases(t *testing.T) {
	checkPayloadCases(t, SourceEngine{}, "source_engine")
}

func FuzzSourceEngine(f *testing.F) {
	fuzzDissector(f, SourceEngine{}, "source_engine")
}
