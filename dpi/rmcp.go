package dpi

// RMCP recognises the Remote Management Control Protocol of DMTF's
// Alert Standard Format (DSP0136 section 3.2.2.1), which carries IPMI over
// LAN: a 4-byte header of version 6, a reserved 0, a sequence number and
// a message class (6 ASF, 7 IPMI, 8 OEM; bit 7 marks an acknowledgement).
// The version and class are few bits, so the dissector needs the
// protocol's port 623 as well.
type RMCP struct{}

// Name returns "RMCP".
func (RMCP) Name() string { return "RMCP" }

// Ports returns RMCP's UDP port.
func (RMCP) Ports() (tcp, udp []uint16) { return nil, []uint16{rmcpPort} }

const (
	rmcpPort      = 623
	rmcpVersion   = 6
	rmcpHeaderLen = 4
)

// Inspect checks the first datagram's header.
func (RMCP) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || !eitherPort(f, rmcpPort) || len(b) < rmcpHeaderLen+4 {
		return NotMine
	}
	class := b[3] & 0x7f
	if b[0] != rmcpVersion || b[1] != 0 || class < 6 || class > 8 {
		return NotMine
	}
	return claim(f, "RMCP", "")
}
