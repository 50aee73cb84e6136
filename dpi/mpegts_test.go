package dpi

import "testing"

func TestMPEGTSCases(t *testing.T) {
	checkPayloadCases(t, MPEGTS{}, "mpegts")
}

func FuzzMPEGTS(f *testing.F) {
	fuzzDissector(f, MPEGTS{}, "mpegts")
}
