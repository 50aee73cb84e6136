package dpi

import "bytes"

// RDP recognises the Remote Desktop Protocol. Over TCP it reads the X.224
// Connection Request or Confirm in a TPKT (MS-RDPBCGR section 2.2.1.1,
// RFC 1006 section 6, ITU-T X.224 section 13.3). Over UDP it reads the
// SYN or SYN+ACK datagram of MS-RDPEUDP section 3.1.5.1.1, which carries
// a sequence acknowledgement of -1 and is padded to 1232 bytes.
//
// A Connection Request that carries a cookie ("Cookie: mstshash=") is
// handed to the TLS dissector and named "TLS.RDP" once a TLS hello is
// seen, as nDPI 4.x names such flows in its test captures.
// NOTE: nDPI names the same exchange without a cookie "RDP" even when TLS
// follows. The cookie is the only difference between its two test flows,
// and nDPI documents no such rule.
type RDP struct{}

// Name returns "RDP".
func (RDP) Name() string { return "RDP" }

// Ports returns the RDP port.
func (RDP) Ports() (tcp, udp []uint16) { return []uint16{3389}, []uint16{3389} }

// X.224 TPDU codes (ITU-T X.224 section 13.1) and RDP constants.
const (
	tpktVersion          = 3
	x224ConnectionReq    = 0xe0
	x224ConnectionCon    = 0xd0
	rdpUDPSynLen         = 1232
	rdpUDPFlagSyn        = 0x0001
	rdpScratchKey        = "RDP"
	tpktHeaderLen        = 4
	x224ConnectionHdrLen = 7
)

var rdpCookie = []byte("Cookie: ")

// rdpState is a flow's progress: a Connection Request with a cookie was
// seen, and the TLS records start after the Connection Confirm.
type rdpState struct {
	cookie  bool
	tls     bool
	request int // TPKT length of the Connection Request
}

// Inspect reads the first message of the flow.
func (RDP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol == ipProtocolUDP {
		return rdpInspectUDP(f, p.Payload)
	}
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	st := Scratch[rdpState](f, rdpScratchKey)
	if st.cookie {
		return rdpFollowTLS(f, p, st)
	}
	msg := f.Stream(p.Dir)
	tpdu, ok := rdpTPDU(msg)
	if !ok {
		return waitOrReject(f, len(msg), tpktHeaderLen+x224ConnectionHdrLen)
	}
	if (tpdu[1] != x224ConnectionReq && tpdu[1] != x224ConnectionCon) || !rdpVariablePart(tpdu[x224ConnectionHdrLen:]) {
		return NotMine
	}
	f.SetResult("RDP", "")
	if p.Dir == ClientToServer && tpdu[1] == x224ConnectionReq && bytes.Contains(tpdu, rdpCookie) {
		st.cookie, st.request = true, tpktHeaderLen+len(tpdu)
		return Claimed
	}
	return Done
}

// rdpVariablePart reports whether the variable part of a Connection
// Request or Confirm is RDP's (MS-RDPBCGR sections 2.2.1.1 and 2.2.1.2):
// an optional cookie or routing token line ending in CR LF, then nothing
// or an 8-byte RDP_NEG_REQ, RDP_NEG_RSP or RDP_NEG_FAILURE. Other users of
// X.224 over TPKT, such as ISO-TSAP on port 102, put parameters there.
func rdpVariablePart(vp []byte) bool {
	if bytes.HasPrefix(vp, rdpCookie) || bytes.HasPrefix(vp, []byte("Cookie:")) {
		end := bytes.Index(vp, []byte("\r\n"))
		if end < 0 {
			return false
		}
		vp = vp[end+2:]
	}
	if len(vp) == 0 {
		return true
	}
	// Type 1 request, 2 response, 3 failure, then flags and a length of 8.
	return len(vp) == 8 && vp[0] >= 1 && vp[0] <= 3 && vp[2] == 8 && vp[3] == 0
}

// rdpTPDU returns the X.224 TPDU of the TPKT that starts msg.
func rdpTPDU(msg []byte) ([]byte, bool) {
	c := wireCursor{buf: msg}
	version, _ := c.u8()
	c.skip(1)
	length, _ := c.u16()
	tpdu, ok := c.bytes(int(length) - tpktHeaderLen)
	if !ok || version != tpktVersion || len(tpdu) < x224ConnectionHdrLen || int(tpdu[0]) != len(tpdu)-1 {
		return nil, false
	}
	return tpdu, true
}

// rdpFollowTLS waits for the Connection Confirm, then reads the TLS
// handshake that follows it in both directions.
func rdpFollowTLS(f *Flow, p *Packet, st *rdpState) Verdict {
	if !st.tls {
		tpdu, ok := rdpTPDU(f.Stream(ServerToClient))
		if !ok || tpdu[1] != x224ConnectionCon {
			return Claimed
		}
		st.tls = true
		StartTLSAt(f, "TLS", st.request, tpktHeaderLen+len(tpdu))
	}
	v := TLSDissector{}.Inspect(f, p)
	if f.Master == "TLS" {
		f.App = "RDP"
	}
	if v == NotMine || v == Done {
		return Done
	}
	return Claimed
}

// rdpInspectUDP accepts the SYN datagram that opens an RDP-UDP connection.
func rdpInspectUDP(f *Flow, msg []byte) Verdict {
	c := wireCursor{buf: msg}
	ack, _ := c.u32()
	c.skip(2) // uReceiveWindowSize
	flags, ok := c.u16()
	if !ok || ack != 0xffffffff || flags&rdpUDPFlagSyn == 0 || len(msg) < rdpUDPSynLen {
		return NotMine
	}
	f.SetResult("RDP", "")
	return Done
}

// VNC recognises the RFB protocol of VNC (RFC 6143 section 7.1.1) from the
// ProtocolVersion message that both sides send first: "RFB 003.008\n".
type VNC struct{}

// Name returns "VNC".
func (VNC) Name() string { return "VNC" }

// Ports returns the usual VNC ports.
func (VNC) Ports() (tcp, udp []uint16) { return []uint16{5900, 5901, 5800}, nil }

// rfbVersionLen is the length of the ProtocolVersion message.
const rfbVersionLen = 12

// Inspect reads the version message of the stream p extends.
func (VNC) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	msg := f.Stream(p.Dir)
	if len(msg) < rfbVersionLen {
		return waitOrReject(f, len(msg), rfbVersionLen)
	}
	v := msg[:rfbVersionLen]
	if !bytes.HasPrefix(v, []byte("RFB ")) || v[7] != '.' || v[11] != '\n' ||
		!allDigits(v[4:7]) || !allDigits(v[8:11]) {
		return NotMine
	}
	f.SetResult("VNC", "")
	return Done
}

// allDigits reports whether b is all ASCII digits.
func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
