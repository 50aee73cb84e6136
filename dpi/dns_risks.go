package dpi

// dnsMaxUDPMessage is the largest DNS message that plain DNS over UDP
// carries (RFC 1035 section 4.2.1). Larger ones need EDNS(0) or TCP, and
// nDPI reports them as dns_large_packet.
const dnsMaxUDPMessage = 512

// dnsRisks records the issues one DNS message shows: a UDP message over
// 512 bytes, and a response whose answers include a record with a zero TTL
// (RFC 1035 section 3.2.1), which nDPI counts among minor_issues.
func dnsRisks(f *Flow, msg []byte, h dnsHeader) {
	if f.Protocol == ipProtocolUDP && len(msg) > dnsMaxUDPMessage {
		f.AddRisk("dns_large_packet")
	}
	if h.response && dnsHasZeroTTL(msg, h) {
		f.AddRisk("minor_issues")
	}
}

// dnsHasZeroTTL reports whether a record of the answer section has a TTL
// of zero. It stops at the first record that does not parse.
func dnsHasZeroTTL(msg []byte, h dnsHeader) bool {
	off := dnsHeaderLen
	for range h.qdCount {
		next, ok := dnsSkipName(msg, off)
		if !ok || len(msg)-next < 4 {
			return false
		}
		off = next + 4
	}
	for range h.anCount {
		rr, next, ok := dnsReadRecord(msg, off)
		if !ok {
			return false
		}
		if rr.ttl == 0 {
			return true
		}
		off = next
	}
	return false
}
