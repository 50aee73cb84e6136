package dpi

// ipProtocolNames names the flows of IP protocols that carry no ports and
// are identified by their protocol number alone (IANA "Assigned Internet
// Protocol Numbers"), with the names nDPI gives them.
var ipProtocolNames = map[uint8]string{
	1:   "ICMP",
	2:   "IGMP",
	8:   "EGP",
	47:  "GRE",
	50:  "IPSec", // ESP
	51:  "IPSec", // AH
	58:  "ICMPV6",
	89:  "OSPF",
	103: "IP_PIM",
	112: "VRRP",
	113: "PGM",
	132: "SCTP",
}

// classifyByIPProtocol settles flows of protocols other than TCP and UDP,
// which carry no payload a dissector reads. It reports whether it did.
func classifyByIPProtocol(f *Flow) bool {
	if f.Protocol == ipProtoTCP || f.Protocol == ipProtoUDP {
		return false
	}
	if name, ok := ipProtocolNames[f.Protocol]; ok {
		f.SetResult(name, "")
	}
	return true
}
