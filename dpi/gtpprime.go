package dpi

// GTPPrime recognises GTP', the protocol that carries charging data
// records from GPRS and UMTS nodes to a charging gateway (3GPP TS 32.295),
// on its port 3386. Its header opens with a version of 0 to 2 in the top
// three bits of the first byte and the protocol type bit (0x10) clear,
// which distinguishes GTP' from GTP. A message type and a 16-bit length
// follow, and the length must fit in the datagram after the 6-byte header.
// nDPI 4.x (protocols/gtp.c) checks the same port, version and length and
// names such flows GTP.GTP_PRIME.
type GTPPrime struct{}

const (
	gtpPrimePort       = 3386
	gtpPrimeHeaderLen  = 6
	gtpPrimeMaxVersion = 2
	gtpProtocolType    = 0x10
)

// Name returns nDPI's name for the protocol.
func (GTPPrime) Name() string { return "GTP_PRIME" }

// Ports returns the GTP' port.
func (GTPPrime) Ports() (tcp, udp []uint16) { return nil, []uint16{gtpPrimePort} }

// Inspect checks the flow's first datagram.
func (GTPPrime) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || !eitherPort(f, gtpPrimePort) || len(b) <= gtpPrimeHeaderLen {
		return NotMine
	}
	length, _ := u16At(b, 2)
	if b[0]>>5 > gtpPrimeMaxVersion || b[0]&gtpProtocolType != 0 || int(length) > len(b)-gtpPrimeHeaderLen {
		return NotMine
	}
	return claim(f, "GTP", "GTP_PRIME")
}
