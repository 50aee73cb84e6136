package dpi

// TeamViewer's protocol is not published. In captures of the client,
// every TCP message opens with the bytes 0x17 0x24, and every UDP
// datagram carries them at offset 11, after a zero-filled prefix and a
// command byte. One such packet is a weak sign, so two are required.
const (
	teamViewerMagic0     = 0x17
	teamViewerMagic1     = 0x24
	teamViewerUDPOffset  = 11
	teamViewerMinPackets = 2
)

// teamViewerState counts the packets seen with the magic.
type teamViewerState struct {
	matches int
}

// TeamViewer recognises the remote desktop sessions of TeamViewer.
type TeamViewer struct{}

// Name returns nDPI's name for the application.
func (TeamViewer) Name() string { return "TeamViewer" }

// Ports returns TeamViewer's port.
func (TeamViewer) Ports() (tcp, udp []uint16) { return []uint16{5938}, []uint16{5938} }

// Inspect claims a flow once two packets carry the magic bytes.
func (TeamViewer) Inspect(f *Flow, p *Packet) Verdict {
	off := 0
	switch f.Protocol {
	case ipProtocolTCP:
	case ipProtocolUDP:
		off = teamViewerUDPOffset
	default:
		return NotMine
	}
	b := p.Payload
	if len(b) < off+2 || b[off] != teamViewerMagic0 || b[off+1] != teamViewerMagic1 {
		return NotMine
	}
	st := Scratch[teamViewerState](f, "TeamViewer")
	st.matches++
	if st.matches < teamViewerMinPackets {
		return NeedMore
	}
	f.SetResult("TeamViewer", "")
	return Done
}
