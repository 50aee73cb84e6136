package dpi

import "testing"

func TestSDRTNCases(t *testing.T) {
	checkPayloadCases(t, SDRTN{}, "sdrtn")
}

func TestSDRTNHost(t *testing.T) {
	c, err := readPayloadCase("testdata/sdrtn/join")
	if err != nil {
		t.Fatal(err)
	}
	f := newEngineWith([]Dissector{SDRTN{}}).replayCorpusFlow(c.flow())
	if f.Host != c.info || f.Info != c.info {
		t.Errorf("host %q, info %q, want %q", f.Host, f.Info, c.info)
	}
}

func FuzzSDRTN(f *testing.F) {
	fuzzDissector(f, SDRTN{}, "sdrtn")
}
