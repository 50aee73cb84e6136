package dpi

import "testing"

func TestGTPPrimeCases(t *testing.T) {
	checkPayloadCases(t, GTPPrime{}, "gtpprime")
}

func FuzzGTPPrime(f *testing.F) {
	fuzzDissector(f, GTPPrime{}, "gtpprime")
}
