package dpi

import "testing"

func TestNestLogSinkCases(t *testing.T) {
	checkPayloadCases(t, NestLogSink{}, "nestlogsink")
}

func FuzzNestLogSink(f *testing.F) {
	fuzzDissector(f, NestLogSink{}, "nestlogsink")
}
