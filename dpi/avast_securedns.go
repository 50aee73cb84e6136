package dpi

import "bytes"

// avastSecureDNSName is the wire form of the name that Avast SecureDNS
// clients query first, "2.securedns.avast.com"; the clients vary the case
// of its letters.
var avastSecureDNSName = []byte("\x012\x09securedns\x05avast\x03com\x00")

// AVASTSecureDNS recognises Avast SecureDNS, a DNSCrypt service whose
// clients open each exchange with a DNS query for its provider name.
type AVASTSecureDNS struct{}

// Name returns nDPI's name for the service.
func (AVASTSecureDNS) Name() string { return "AVASTSecureDNS" }

// Inspect claims a flow whose first payload is a DNS message with the
// provider name as its single question.
func (AVASTSecureDNS) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol == 6 {
		if len(b) < 2 {
			return NotMine
		}
		b = b[2:]
	}
	end := dnscryptDNSHeaderLen + len(avastSecureDNSName)
	if len(b) < end || b[4] != 0 || b[5] != 1 {
		return NotMine
	}
	if !bytes.EqualFold(b[dnscryptDNSHeaderLen:end], avastSecureDNSName) {
		return NotMine
	}
	f.SetResult("AVASTSecureDNS", "")
	return Done
}
