package decode

import "encoding/binary"

// UDP ports of the tunnels Decode follows (IANA "Service Name and
// Transport Protocol Port Number Registry").
const (
	portGTPU       = 2152
	portVXLAN      = 4789
	portCAPWAPData = 5247
	portGeneve     = 6081
	portTZSP       = 37008
)

// decodeUDPTunnel decodes the tunnel that a UDP port announces. It returns
// ok=false when the payload does not carry a tunnelled frame (a GTP-U echo,
// a DTLS-protected CAPWAP packet, an unrelated protocol on the port), and
// the datagram stays a plain UDP packet.
func (d *Decoder) decodeUDPTunnel(srcPort, dstPort uint16, b []byte, p *Packet) (r Reason, ok bool) {
	either := func(port uint16) bool { return srcPort == port || dstPort == port }
	switch {
	case either(portGTPU):
		return d.decodeGTPU(b, p)
	case either(portVXLAN):
		return d.decodeVXLAN(b, p)
	case either(portGeneve):
		return d.decodeGeneve(b, p)
	case either(portCAPWAPData):
		return d.decodeCAPWAP(b, p)
	case either(portTZSP):
		return d.decodeTZSP(b, p)
	}
	return reasonOK, false
}

// decodeVXLAN parses a VXLAN header (RFC 7348 section 5) with its I flag
// set, and the Ethernet frame after it.
func (d *Decoder) decodeVXLAN(b []byte, p *Packet) (Reason, bool) {
	const vxlanHeaderLen, vxlanFlagI = 8, 0x08
	if len(b) < vxlanHeaderLen || b[0]&vxlanFlagI == 0 {
		return reasonOK, false
	}
	if r := d.enterTunnel(p); r != reasonOK {
		return r, true
	}
	return d.decodeEthernet(b[vxlanHeaderLen:], p), true
}

// decodeGeneve parses a Geneve version 0 header with its options
// (RFC 8926 section 3.4) and the Ethernet frame or IP packet after it.
func (d *Decoder) decodeGeneve(b []byte, p *Packet) (Reason, bool) {
	const geneveHeaderLen = 8
	if len(b) < geneveHeaderLen || b[0]>>6 != 0 {
		return reasonOK, false
	}
	proto := binary.BigEndian.Uint16(b[2:4])
	if proto != etherTypeTransEtherBrdg && proto != etherTypeIPv4 && proto != etherTypeIPv6 {
		return reasonOK, false
	}
	headerLen := geneveHeaderLen + int(b[0]&0x3F)*4
	if len(b) < headerLen {
		return ReasonGeneveTruncated, true
	}
	if r := d.enterTunnel(p); r != reasonOK {
		return r, true
	}
	if proto == etherTypeTransEtherBrdg {
		return d.decodeEthernet(b[headerLen:], p), true
	}
	return d.decodeEtherType(proto, b[headerLen:], p), true
}

// GTP-U header fields (3GPP TS 29.281 section 5.1).
const (
	gtpHeaderLen         = 8
	gtpOptionalLen       = 4 // sequence number, N-PDU number, next extension type
	gtpVersion1          = 1
	gtpFlagProtocolType  = 0x10 // 1 for GTP, 0 for GTP'
	gtpFlagsOptional     = 0x07 // E, S or PN: the optional fields are present
	gtpFlagExtension     = 0x04
	gtpMessageGPDU       = 0xFF
	gtpNoMoreExtensions  = 0
	gtpExtensionUnitSize = 4
)

// decodeGTPU parses a GTP-U G-PDU header with its optional fields and
// extension headers, and the IP packet it carries. Other GTP messages
// (echo, error indication, end marker) stay UDP.
func (d *Decoder) decodeGTPU(b []byte, p *Packet) (Reason, bool) {
	if len(b) < gtpHeaderLen || b[0]>>5 != gtpVersion1 || b[0]&gtpFlagProtocolType == 0 || b[1] != gtpMessageGPDU {
		return reasonOK, false
	}
	flags := b[0]
	length := int(binary.BigEndian.Uint16(b[2:4]))
	body := b[gtpHeaderLen:]
	if length < len(body) {
		body = body[:length]
	}

	if flags&gtpFlagsOptional != 0 {
		if len(body) < gtpOptionalLen {
			return ReasonGTPTruncated, true
		}
		next := body[3]
		body = body[gtpOptionalLen:]
		if flags&gtpFlagExtension != 0 {
			var ok bool
			if body, ok = skipGTPExtensions(next, body); !ok {
				return ReasonGTPTruncated, true
			}
		}
	}
	if len(body) == 0 {
		return ReasonGTPTruncated, true
	}
	if r := d.enterTunnel(p); r != reasonOK {
		return r, true
	}
	return d.decodeIPByVersion(body, p), true
}

// skipGTPExtensions skips the chain of GTP-U extension headers (TS 29.281
// section 5.2). Each is a length in 4-byte units, its content, and the
// next header's type in its last byte.
func skipGTPExtensions(next uint8, b []byte) ([]byte, bool) {
	for next != gtpNoMoreExtensions {
		if len(b) < 1 {
			return nil, false
		}
		n := int(b[0]) * gtpExtensionUnitSize
		if n == 0 || len(b) < n {
			return nil, false
		}
		next = b[n-1]
		b = b[n:]
	}
	return b, true
}

// CAPWAP header fields (RFC 5415 section 4.3).
const (
	capwapMinHeaderLen  = 8
	capwapWBIDIEEE80211 = 1
	capwapFlagT         = 0x01 // in byte 2: native frame format of the WBID
	capwapFlagF         = 0x80 // in byte 3: fragment
	capwapFlagK         = 0x08 // in byte 3: keep-alive, no payload
)

// decodeCAPWAP parses a CAPWAP data channel header and the 802.3 or 802.11
// frame after it. DTLS-protected, keep-alive and fragmented packets stay
// UDP, and so do 802.11 frames other than data frames, as in nDPI.
//
// TODO: CAPWAP fragments are not reassembled, so a frame split by the
// access point is keyed on the outer UDP header, not the station's flow.
func (d *Decoder) decodeCAPWAP(b []byte, p *Packet) (Reason, bool) {
	// A preamble of 0 is version 0 with a clear-text CAPWAP header.
	if len(b) < capwapMinHeaderLen || b[0] != 0 || b[3]&(capwapFlagF|capwapFlagK) != 0 {
		return reasonOK, false
	}
	headerLen := int(b[1]>>3) * 4
	wbid := (b[2] >> 1) & 0x1F
	native := b[2]&capwapFlagT != 0
	if headerLen < capwapMinHeaderLen || (native && wbid != capwapWBIDIEEE80211) {
		return reasonOK, false
	}
	if len(b) < headerLen {
		return ReasonCAPWAPTruncated, true
	}
	if native && len(b) >= headerLen+2 && !isIEEE80211Data(b[headerLen]) && !isIEEE80211Data(b[headerLen+1]) {
		return reasonOK, false
	}
	if r := d.enterTunnel(p); r != reasonOK {
		return r, true
	}
	if native {
		return d.decodeIEEE80211(b[headerLen:], p, true), true
	}
	return d.decodeEthernet(b[headerLen:], p), true
}

// TZSP header fields, from the TaZmen Sniffer Protocol description that
// Wireshark's dissector follows.
const (
	tzspHeaderLen      = 4
	tzspVersion        = 1
	tzspTypeReceived   = 0
	tzspTypeTransmit   = 1
	tzspEncapEthernet  = 1
	tzspEncapIEEE80211 = 18
	tzspTagPadding     = 0
	tzspTagEnd         = 1
)

// decodeTZSP parses a TZSP header with its tagged fields and the Ethernet
// or 802.11 frame after it.
func (d *Decoder) decodeTZSP(b []byte, p *Packet) (Reason, bool) {
	if len(b) < tzspHeaderLen || b[0] != tzspVersion || (b[1] != tzspTypeReceived && b[1] != tzspTypeTransmit) {
		return reasonOK, false
	}
	encap := binary.BigEndian.Uint16(b[2:4])
	if encap != tzspEncapEthernet && encap != tzspEncapIEEE80211 {
		return reasonOK, false
	}
	frame, ok := skipTZSPTags(b[tzspHeaderLen:])
	if !ok {
		return ReasonTZSPTruncated, true
	}
	if r := d.enterTunnel(p); r != reasonOK {
		return r, true
	}
	if encap == tzspEncapIEEE80211 {
		return d.decodeIEEE80211(frame, p, false), true
	}
	return d.decodeEthernet(frame, p), true
}

// skipTZSPTags skips tagged fields up to and including the end tag. The
// padding and end tags are one byte; others are type, length, value.
func skipTZSPTags(b []byte) ([]byte, bool) {
	for {
		if len(b) < 1 {
			return nil, false
		}
		switch b[0] {
		case tzspTagEnd:
			return b[1:], true
		case tzspTagPadding:
			b = b[1:]
			continue
		}
		if len(b) < 2 || len(b) < 2+int(b[1]) {
			return nil, false
		}
		b = b[2+int(b[1]):]
	}
}
