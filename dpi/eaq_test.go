package dpi

import "testing"

func TestEAQCases(t *testing.T) {
	checkPayloadCases(t, EAQ{}, "eaq")
}

func TestEAQSequenceBreak(t *testing.T) {
	probe := func(seq byte) []byte {
		return []byte{0, 0, 0, seq, 0, 0, 0x0d, 0xda, 0, 1, 0x4b, 7, 0, 0, 0x90, 0}
	}
	f := &Flow{Protocol: 17}
	f.Packets[0] = 1
	if v := (EAQ{}).Inspect(f, &Packet{Payload: probe(0)}); v != NeedMore {
		t.Fatalf("first probe: verdict %v, want NeedMore", v)
	}
	f.Packets[0] = 2
	if v := (EAQ{}).Inspect(f, &Packet{Payload: probe(7)}); v != NotMine {
		t.Errorf("probe out of sequence: verdict %v, want NotMine", v)
	}
}

func FuzzEAQ(f *testing.F) {
	fuzzDissector(f, EAQ{}, "eaq")
}
