package dpi

// MPEGTS recognises an MPEG transport stream carried over UDP, as nDPI
// 4.x (protocols/mpegts.c) does: the datagram holds whole 188-byte
// transport packets, each opening with the sync byte 0x47 (ISO/IEC
// 13818-1, section 2.4.3.2).
type MPEGTS struct{}

const (
	mpegTSPacketLen = 188
	mpegTSSyncByte  = 0x47
)

// Name returns nDPI's name for the protocol.
func (MPEGTS) Name() string { return "MPEG_TS" }

// Inspect checks the flow's first datagram.
func (MPEGTS) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) == 0 || len(b)%mpegTSPacketLen != 0 {
		return NotMine
	}
	for off := 0; off < len(b); off += mpegTSPacketLen {
		if b[off] != mpegTSSyncByte {
			return NotMine
		}
	}
	return claim(f, "MPEG_TS", "")
}
