package flow

import (
	"math"
	"slices"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/record"
)

// entropyExecutable is the lowest entropy, in bits per byte, that nDPI
// 4.x (ndpi_main.h) takes for anything but plain text. Its higher bands
// are packed code from 6.677, encrypted code from 7.174, and encrypted or
// random data from 7.312.
const entropyExecutable = 4.941

// payloadEntropy returns the Shannon entropy of b in bits per byte, 0 for
// an empty payload. The histogram lives on the stack, so nothing
// allocates. It uses H = log2(n) - (1/n)·Σ c·log2(c) over the byte counts
// c, with c·log2(c) from a table for the counts a packet usually has.
func payloadEntropy(b []byte) float32 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]uint32
	for _, c := range b {
		counts[c]++
	}
	sum := 0.0
	for _, k := range counts {
		switch {
		case k < 2:
			// 0·log2(0) and 1·log2(1) are both 0.
		case k < uint32(len(countLog2)):
			sum += countLog2[k]
		default:
			sum += float64(k) * math.Log2(float64(k))
		}
	}
	n := float64(len(b))
	return float32(math.Log2(n) - sum/n)
}

// countLog2 contains c·log2(c) for the byte counts of payloads up to a
// typical Ethernet MTU.
var countLog2 = func() (t [1501]float64) {
	for c := 2; c < len(t); c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()

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
	// Other flows are judged by judgeEntropy, on fewer packets.
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
	if f.suspiciousEntropy(r) {
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

// Stages of the entropy judgement of a TCP or UDP flow (Flow.entropyStage).
const (
	// entropyNotJudged: no packet was judged, or the packet on which DPI
	// named the flow was of a kind that nDPI does not judge.
	entropyNotJudged uint8 = iota
	// entropyUnnamed: the last judged packet came before DPI named the
	// flow's application.
	entropyUnnamed
	// entropyNamed: the last judged packet is the one on which DPI named
	// the application, and the flow was of a kind nDPI judges then.
	entropyNamed
	// entropyExempt: DPI named an encrypted protocol (encryptedByDesign).
	entropyExempt
)

// maxEntropyPackets is how many packets with payload, counted from the
// start of the flow, are judged by entropy. nDPI 4.x stops at the same
// count.
const maxEntropyPackets = 4

// judgeEntropy judges one packet of a TCP or UDP flow that came while DPI
// had not yet named the flow, following nDPI's per-packet check
// (ndpi_main.c) and ndpi_entropy2risk (ndpi_utils.c). Every such packet
// among the first maxEntropyPackets with payload replaces the verdict of
// the one before, and a packet without payload counts as entropy 0. The
// packet on which DPI names the application is judged last, and only when
// the flow's category is then Web or DataTransfer or its dissector has
// seen a risk of entropyPartners. A flow named plain HTTP keeps the
// entropy of the packets before it, as nDPI's results on its test
// captures show.
func (f *Flow) judgeEntropy(payload []byte) {
	// nDPI judges only TCP and UDP this way, and ICMP in notePayload.
	if f.Key.Protocol != decode.ProtoTCP && f.Key.Protocol != decode.ProtoUDP {
		return
	}
	if f.entropyStage == entropyExempt || f.payloadPackets[0]+f.payloadPackets[1] > maxEntropyPackets {
		return
	}
	// A flow read back from the table's temporary file is judged here only
	// while unnamed.
	var master, app string
	if f.DPI != nil {
		master, app = f.DPI.Master, f.DPI.App
	}
	switch {
	case master == "":
		f.entropy, f.entropyStage = payloadEntropy(payload), entropyUnnamed
	case encryptedByDesign(master) || encryptedByDesign(app):
		f.entropy, f.entropyStage = 0, entropyExempt
	case !judgedWhenNamed(f.DPI.Category(), f.DPI.Risks):
		f.entropy, f.entropyStage = 0, entropyNotJudged
	case master == "HTTP" && app == "":
		f.entropyStage = entropyNamed
	default:
		f.entropy, f.entropyStage = payloadEntropy(payload), entropyNamed
	}
}

// encryptedByDesign reports the protocols whose payload is encrypted from
// the start or after a handshake. nDPI exempts TLS, QUIC and DTLS. flowlens
// adds the TLS mail ports and the VPN tunnels, because it may name them by
// port only where nDPI's dissectors recognise them.
func encryptedByDesign(protocol string) bool {
	switch protocol {
	case "TLS", "QUIC", "DTLS", "SMTPS", "IMAPS", "POPS", "IPSec", "WireGuard":
		return true
	}
	return false
}

// entropyPartners are the risks that make nDPI judge a flow named by DPI
// by its entropy whatever its category.
var entropyPartners = []string{
	"binary_application_transfer", "binary_data_transfer", "dns_suspicious_traffic",
	"http_suspicious_content", "malformed_packet", "malware_host_contacted", "possible_exploit",
}

// judgedWhenNamed reports whether nDPI judges the packet on which DPI
// named a flow of this category and these risks: when the category is Web
// or DataTransfer, or a risk is one of entropyPartners.
func judgedWhenNamed(category string, risks []string) bool {
	switch category {
	case "Web", "DataTransfer":
		return true
	}
	return slices.ContainsFunc(risks, func(risk string) bool {
		return slices.Contains(entropyPartners, risk)
	})
}

// suspiciousEntropy reports a payload with the entropy of executable code,
// compressed or encrypted data where the flow's protocol does not explain
// it. The payload is an ICMP message or the last packet of a TCP or UDP
// flow that judgeEntropy judged. ICMP echo payloads are normally fixed
// patterns, so such content hints at a tunnel or a leak.
//
// A flow judged before DPI named it counts when flowlens never names it,
// or names it only by its port, with a dissector for that protocol, which
// has rejected the payload. Flows named by their address, or by the port
// of a protocol flowlens has no dissector for, are left out: nDPI's own
// dissectors name many of them, and nDPI then does not raise the risk.
// NOTE: an Unknown flow that nDPI names by a dissector flowlens lacks
// becomes a false finding, so this rule is only as precise as DPI's
// coverage of nDPI's protocols.
func (f *Flow) suspiciousEntropy(r *record.Flow) bool {
	if f.entropy < entropyExecutable {
		return false
	}
	if f.Key.Protocol == decode.ProtoICMP {
		return true
	}
	if encryptedByDesign(r.MasterProtocol) || encryptedByDesign(r.AppProtocol) {
		return false
	}
	switch f.entropyStage {
	case entropyUnnamed:
		return r.Confidence == "unknown" || r.Confidence == "port" && dpi.HasDissector(r.MasterProtocol)
	case entropyNamed:
		// Host names and content types can still change the category
		// after the flow was named, so the record's final one counts too.
		return judgedWhenNamed(r.Category, r.Risks)
	}
	return false
}
