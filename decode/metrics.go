package decode

// Reason is the cause for which Decode rejected a frame. Every rejected
// frame is counted under exactly one Reason in Stats.
type Reason uint8

// Reasons for rejecting a frame. The zero value is reserved for success and
// is never counted.
const (
	reasonOK Reason = iota
	ReasonUnsupportedLinkType
	ReasonNonIP
	ReasonLinkTruncated
	ReasonEthernetTruncated
	ReasonLLCTruncated
	ReasonVLANTruncated
	ReasonMPLSTruncated
	ReasonPPPoETruncated
	ReasonPPPTruncated
	ReasonIEEE80211Truncated
	ReasonIPBadVersion
	ReasonIPv4Truncated
	ReasonIPv4BadHeaderLength
	ReasonIPv4BadTotalLength
	ReasonIPv6Truncated
	ReasonIPv6ExtensionTruncated
	ReasonIPv6BadFragment
	ReasonTCPTruncated
	ReasonTCPBadDataOffset
	ReasonUDPTruncated
	ReasonICMPTruncated
	ReasonSCTPTruncated
	ReasonGRETruncated
	ReasonERSPANTruncated
	ReasonGeneveTruncated
	ReasonGTPTruncated
	ReasonCAPWAPTruncated
	ReasonTZSPTruncated
	ReasonTunnelTooDeep
	ReasonFragmentWithoutFirst
	ReasonFragmentBadOffset
	numReasons
)

var reasonNames = [numReasons]string{
	reasonOK:                     "ok",
	ReasonUnsupportedLinkType:    "unsupported_link_type",
	ReasonNonIP:                  "non_ip",
	ReasonLinkTruncated:          "link_truncated",
	ReasonEthernetTruncated:      "ethernet_truncated",
	ReasonLLCTruncated:           "llc_truncated",
	ReasonVLANTruncated:          "vlan_truncated",
	ReasonMPLSTruncated:          "mpls_truncated",
	ReasonPPPoETruncated:         "pppoe_truncated",
	ReasonPPPTruncated:           "ppp_truncated",
	ReasonIEEE80211Truncated:     "ieee80211_truncated",
	ReasonIPBadVersion:           "ip_bad_version",
	ReasonIPv4Truncated:          "ipv4_truncated",
	ReasonIPv4BadHeaderLength:    "ipv4_bad_header_length",
	ReasonIPv4BadTotalLength:     "ipv4_bad_total_length",
	ReasonIPv6Truncated:          "ipv6_truncated",
	ReasonIPv6ExtensionTruncated: "ipv6_extension_truncated",
	ReasonIPv6BadFragment:        "ipv6_bad_fragment",
	ReasonTCPTruncated:           "tcp_truncated",
	ReasonTCPBadDataOffset:       "tcp_bad_data_offset",
	ReasonUDPTruncated:           "udp_truncated",
	ReasonICMPTruncated:          "icmp_truncated",
	ReasonSCTPTruncated:          "sctp_truncated",
	ReasonGRETruncated:           "gre_truncated",
	ReasonERSPANTruncated:        "erspan_truncated",
	ReasonGeneveTruncated:        "geneve_truncated",
	ReasonGTPTruncated:           "gtp_truncated",
	ReasonCAPWAPTruncated:        "capwap_truncated",
	ReasonTZSPTruncated:          "tzsp_truncated",
	ReasonTunnelTooDeep:          "tunnel_too_deep",
	ReasonFragmentWithoutFirst:   "fragment_without_first",
	ReasonFragmentBadOffset:      "fragment_bad_offset",
}

// String returns the reason's snake_case name, as used in metrics.
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Reasons returns every Reason that Stats counts, in enum order.
func Reasons() []Reason {
	rs := make([]Reason, 0, numReasons-1)
	for r := reasonOK + 1; r < numReasons; r++ {
		rs = append(rs, r)
	}
	return rs
}

// Stats are the decoder's counters since New.
type Stats struct {
	// Decoded counts frames for which Decode returned true.
	Decoded uint64
	// Rejected counts frames for which Decode returned false, per Reason.
	Rejected [numReasons]uint64
	// Reassembled counts fragmented datagrams that were completed.
	Reassembled uint64
	// FragmentsExpired counts datagrams dropped incomplete because no
	// fragment arrived within Config.FragmentTimeout (in packet time).
	FragmentsExpired uint64
	// FragmentsEvicted counts incomplete datagrams dropped to make room
	// because Config.MaxFragmentDatagrams were in flight.
	FragmentsEvicted uint64
	// FragmentsOverflowed counts datagrams whose data was dropped because
	// buffering it would exceed Config.MaxFragmentBytes or 64 fragments.
	// Their frames still decode, but the datagrams never complete.
	FragmentsOverflowed uint64
}

// Count returns the number of frames rejected for reason r.
func (s Stats) Count(r Reason) uint64 {
	if r >= numReasons {
		return 0
	}
	return s.Rejected[r]
}
