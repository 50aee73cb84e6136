package flow

import (
	"math"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/record"
)

// entropyExecutable is the lowest entropy, in bits per byte, that nDPI
// 4.x (ndpi_main.h) takes for anything but plain text. Its higher bands
// are packed code from 6.677, encrypted code from 7.174, and encrypted or
// random data from 7.312.
const entropyExecutable = 4.941

// payloadEntropy returns the Shannon entropy of b in bits per byte, 0 for
// an empty payload. The histogram lives on the stack, so nothing
// allocates.
func payloadEntropy(b []byte) float32 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]uint32
	for _, c := range b {
		counts[c]++
	}
	n := float64(len(b))
	h := 0.0
	for _, k := range counts {
		if k == 0 {
			continue
		}
		p := float64(k) / n
		h -= p * math.Log2(p)
	}
	return float32(h)
}

// notePayload keeps what the packet risks need from one packet's payload:
// the count of packets that carried data, and for ICMP the entropy of the
// last payload that DPI inspected.
func (f *Flow) notePayload(dir int, payload []byte, inspected bool) {
	if len(payload) == 0 {
		return
	}
	if f.payloadPackets[dir] < math.MaxUint32 {
		f.payloadPackets[dir]++
	}
	// Only ICMP flows are judged by entropy, so other flows skip the
	// histogram.
	if f.Key.Protocol != decode.ProtoICMP {
		return
	}
	// DPI names ICMP by its IP protocol and inspects none of its packets,
	// so the first ICMP message stands for the flow.
	if inspected || f.payloadPackets[0]+f.payloadPackets[1] == 1 {
		f.entropy = payloadEntropy(payload)
	}
}

// packetRisks adds to r the risks that only the flow's packets show, once
// DPI has filled the record.
func (f *Flow) packetRisks(r *record.Flow) {
	if reason := f.tcpIssue(); reason != "" {
		r.Risks = append(r.Risks, "tcp_issues")
	}
	if f.suspiciousEntropy() {
		r.Risks = append(r.Risks, "suspicious_entropy")
	}
}

// tcpIssue names the TCP connection issue of the flow, or returns "" when
// it has none: a connection reset by the server (refused) or by the client
// before any data, a lone reset from the server (the reply to a probe), or a
// first segment that carries no flags at all (a NULL scan).
func (f *Flow) tcpIssue() string {
	if f.Key.Protocol != decode.ProtoTCP {
		return ""
	}
	const syn, rst = decode.TCPFlagSYN, decode.TCPFlagRST
	noData := f.payloadPackets[0]+f.payloadPackets[1] == 0
	switch {
	case f.firstFlagsNone:
		return "TCP NULL scan"
	case f.TCPFlags[0]&syn != 0 && f.TCPFlags[1]&rst != 0 && noData:
		return "connection refused by the server"
	case f.TCPFlags[0]&syn != 0 && f.TCPFlags[0]&rst != 0 && noData:
		return "connection reset by the client"
	case f.Packets[0] == 0 && f.Packets[1] == 1 && f.TCPFlags[1]&rst != 0:
		return "TCP probing attempt"
	}
	return ""
}

// suspiciousEntropy reports an ICMP message whose payload has the
// entropy of executable code or of encrypted data: echo payloads are
// normally fixed patterns, so such content hints at a tunnel or a leak.
// TODO: nDPI raises the risk also for flows of unknown application, for
// flows it classified by port or address only, and for some HTTP flows.
// flowlens leaves them out. The rule was tried on nDPI's test captures
// for flowlens's unknown and guessed flows other than TLS, QUIC and DTLS,
// with the entropy of the last inspected payload of at least
// entropyExecutable. It gave 84 true and 140 false positives. Most false
// ones were on flows that nDPI identifies by DPI and flowlens only guesses.
func (f *Flow) suspiciousEntropy() bool {
	return f.Key.Protocol == decode.ProtoICMP && f.entropy >= entropyExecutable
}
