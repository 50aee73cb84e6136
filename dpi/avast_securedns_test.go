package dpi

import "testing"

func TestAVASTSecureDNSCases(t *testing.T) {
	checkPayloadCases(t, AVASTSecureDNS{}, "avastsecuredns")
}

func TestAVASTSecureDNSOtherName(t *testing.T) {
	query := "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x012\x09securedns\x05avast\x03org\x00\x00\x10\x00\x01"
	f := &Flow{Protocol: 17}
	if v := (AVASTSecureDNS{}).Inspect(f, &Packet{Payload: []byte(query)}); v != NotMine {
		t.Errorf("query for another domain: verdict %v, want NotMine", v)
	}
}

func FuzzAVASTSecureDNS(f *testing.F) {
	fuzzDissector(f, AVASTSecureDNS{}, "avastsecuredns")
}
