package dpi

import "encoding/binary"

// RTP fixed header (RFC 3550 section 5.1) and RTCP packet types (RFC
// 3550 section 12.1; 192-223 is the range that RFC 5761 section 4 keeps
// apart from RTP payload types).
const (
	rtpHeaderLen    = 12
	rtpVersion      = 2
	rtcpFirstType   = 192
	rtcpLastType    = 223
	rtcpSenderRpt   = 200
	rtcpAppDefined  = 204
	rtpMaxSeqJump   = 16
	rtpStreamChecks = 2
)

// RTP recognises RTP media streams and RTCP reports over UDP. An RTP
// stream is claimed when two packets in one direction carry the same
// SSRC and sequence numbers close together. An RTCP flow is claimed when
// its first datagram is a compound RTCP packet whose lengths add up.
type RTP struct{}

// Name returns nDPI's name for the protocol.
func (RTP) Name() string { return "RTP" }

// rtpState is the last RTP header seen per direction.
type rtpState struct {
	ssrc [2]uint32
	seq  [2]uint16
	seen [2]bool
}

// Inspect follows the first packets of each direction.
func (RTP) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 17 || len(b) < rtpHeaderLen || b[0]>>6 != rtpVersion {
		return rtpGiveUp(f)
	}
	if b[1] >= rtcpFirstType && b[1] <= rtcpLastType {
		if f.Packets[0]+f.Packets[1] == 1 && rtcpCompound(b) {
			f.SetResult("RTCP", "")
			return Done
		}
		return rtpGiveUp(f)
	}
	st := Scratch[rtpState](f, "RTP")
	ssrc := binary.BigEndian.Uint32(b[8:12])
	seq := binary.BigEndian.Uint16(b[2:4])
	d := p.Dir
	if st.seen[d] && st.ssrc[d] == ssrc && seq != st.seq[d] && seq-st.seq[d] <= rtpMaxSeqJump {
		f.SetResult("RTP", "")
		return Done
	}
	st.seen[d], st.ssrc[d], st.seq[d] = true, ssrc, seq
	return rtpGiveUp(f)
}

func rtpGiveUp(f *Flow) Verdict {
	if f.Packets[0]+f.Packets[1] >= 4 {
		return NotMine
	}
	return NeedMore
}

// rtcpCompound reports whether b is a sequence of RTCP packets (RFC 3550
// section 6.1) of known types whose lengths end exactly at the end of
// the datagram.
func rtcpCompound(b []byte) bool {
	for len(b) > 0 {
		if len(b) < 4 || b[0]>>6 != rtpVersion || b[1] < rtcpSenderRpt || b[1] > rtcpAppDefined {
			return false
		}
		n := (int(binary.BigEndian.Uint16(b[2:4])) + 1) * 4
		if n > len(b) {
			return false
		}
		b = b[n:]
	}
	return true
}
