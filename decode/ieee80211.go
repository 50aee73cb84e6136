package decode

// IEEE 802.11 MAC header fields (IEEE Std 802.11-2020 section 9.2.4.1).
const (
	ieee80211HeaderLen     = 24
	ieee80211Addr4Len      = 6
	ieee80211QoSControlLen = 2
	ieee80211HTControlLen  = 4
	ieee80211TypeData      = 2
	ieee80211SubtypeQoS    = 0x8 // subtype bit: QoS Control field present
	ieee80211SubtypeNull   = 0x4 // subtype bit: no frame body
	ieee80211ToDSFromDS    = 0x03
	ieee80211Protected     = 0x40
	ieee80211Order         = 0x80 // with QoS: HT Control field present
)

// decodeIEEE80211 parses an 802.11 data frame without FCS, as CAPWAP and
// TZSP carry them, and the LLC/SNAP header of its body. Management,
// control, null and encrypted frames are not IP.
//
// With maybeSwapped, a Frame Control field whose two bytes are swapped is
// accepted too: Cisco access points send it so in CAPWAP, and Wireshark's
// CAPWAP dissector swaps it back by default. The field is read as sent
// when that gives a data frame, and swapped otherwise.
func (d *Decoder) decodeIEEE80211(b []byte, p *Packet, maybeSwapped bool) Reason {
	if len(b) < ieee80211HeaderLen {
		return ReasonIEEE80211Truncated
	}
	control, flags := b[0], b[1]
	if maybeSwapped && !isIEEE80211Data(control) && isIEEE80211Data(flags) {
		control, flags = flags, control
	}
	subtype := control >> 4
	if !isIEEE80211Data(control) || subtype&ieee80211SubtypeNull != 0 || flags&ieee80211Protected != 0 {
		return ReasonNonIP
	}

	headerLen := ieee80211HeaderLen
	if flags&ieee80211ToDSFromDS == ieee80211ToDSFromDS {
		headerLen += ieee80211Addr4Len
	}
	if subtype&ieee80211SubtypeQoS != 0 {
		headerLen += ieee80211QoSControlLen
		if flags&ieee80211Order != 0 {
			headerLen += ieee80211HTControlLen
		}
	}
	if len(b) < headerLen {
		return ReasonIEEE80211Truncated
	}
	return d.decodeLLC(b[headerLen:], p)
}

// isIEEE80211Data reports whether the first Frame Control byte is
// protocol version 0 and type data.
func isIEEE80211Data(control uint8) bool {
	return control&0x3 == 0 && (control>>2)&0x3 == ieee80211TypeData
}
