package dpi

import "testing"

func TestRTPCases(t *testing.T) {
	checkPayloadCases(t, RTP{}, "rtp")
}

func TestRTPSequence(t *testing.T) {
	packet := func(seq byte, ssrc byte) []byte {
		return []byte{0x80, 0x08, 0x01, seq, 0, 0, 0, 0, 0, 0, 0, ssrc, 0xd5, 0xd5}
	}
	tests := []struct {
		name         string
		first, other []byte
		want         Verdict
	}{
		{"next packet", packet(1, 7), packet(2, 7), Done},
		{"other ssrc", packet(1, 7), packet(2, 8), NeedMore},
		{"sequence jump", packet(1, 7), packet(200, 7), NeedMore},
		{"repeated packet", packet(1, 7), packet(1, 7), NeedMore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: 17}
			f.Packets[0] = 1
			(RTP{}).Inspect(f, &Packet{Payload: tt.first})
			f.Packets[0] = 2
			if got := (RTP{}).Inspect(f, &Packet{Payload: tt.other}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRTCPCompound(t *testing.T) {
	sr := "\x80\xc8\x00\x01abcd"
	rr := "\x81\xc9\x00\x01efgh"
	if !rtcpCompound([]byte(sr + rr)) {
		t.Error("sender report and receiver report not accepted")
	}
	if rtcpCompound([]byte(sr + "\x81\xc9\x00\x05efgh")) {
		t.Error("packet longer than datagram accepted")
	}
	if rtcpCompound([]byte("\x80\xd2\x00\x01abcd")) {
		t.Error("unknown RTCP type accepted")
	}
}

func FuzzRTP(f *testing.F) {
	fuzzDissector(f, RTP{}, "rtp")
}
