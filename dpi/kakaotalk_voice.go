package dpi

import "net/netip"

// KakaoTalkVoice recognises the RTCP of KakaoTalk calls. The flow is UDP
// to or from 1.201.0.0/16, the KINX network of KakaoTalk's call relays,
// and its first datagram is an RTCP sender or receiver report (RFC 3550,
// section 6.4). nDPI 4.x (protocols/kakaotalk_voice.c) names such flows
// from the same network.
// NOTE: nDPI accepts a datagram when any one of its first four bytes
// matches the report header. flowlens requires the version and the
// packet type, which every call report in nDPI's test captures has.
type KakaoTalkVoice struct{}

var kakaoTalkVoiceNetwork = netip.MustParsePrefix("1.201.0.0/16")

// rtcpReceiverRpt is the RTCP packet type of a receiver report (RFC 3550,
// section 6.4.2).
const rtcpReceiverRpt = 201

// Name returns nDPI's name for the application.
func (KakaoTalkVoice) Name() string { return "KakaoTalk_Voice" }

// Inspect checks the flow's first datagram.
func (KakaoTalkVoice) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || f.Packets[0]+f.Packets[1] != 1 || len(b) < 2 {
		return NotMine
	}
	if !kakaoTalkVoiceNetwork.Contains(f.Client.Addr()) && !kakaoTalkVoiceNetwork.Contains(f.Server.Addr()) {
		return NotMine
	}
	if b[0]>>6 != rtpVersion || (b[1] != rtcpSenderRpt && b[1] != rtcpReceiverRpt) {
		return NotMine
	}
	return claim(f, "KakaoTalk_Voice", "")
}
