package dpi

import "testing"

// BenchmarkPayloadDissectors replays every extracted case through all the
// payload dissectors together, as the engine offers an unknown flow.
func BenchmarkPayloadDissectors(b *testing.B) {
	var cases []*payloadCase
	for _, dir := range allPayloadDirs() {
		cases = append(cases, loadPayloadCases(b, dir)...)
	}
	e := newEngineWith(payloadDissectors())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, c := range cases {
			e.replayCorpusFlow(c.flow())
		}
	}
}

// BenchmarkPayloadDissectorsReject measures the cost of offering a flow
// that none of the payload dissectors claims: a TLS Client Hello.
func BenchmarkPayloadDissectorsReject(b *testing.B) {
	c, err := readPayloadCase("testdata/other/tls")
	if err != nil {
		b.Fatal(err)
	}
	e := newEngineWith(payloadDissectors())
	fl := c.flow()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.replayCorpusFlow(fl)
	}
}
