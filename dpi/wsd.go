package dpi

// WSD recognises Web Services Dynamic Discovery (OASIS WS-Discovery 1.1):
// SOAP-over-UDP messages on port 3702, usually multicast to
// 239.255.255.250 or ff02::c, whose payload is an XML document.
type WSD struct{}

// Name returns "WSD".
func (WSD) Name() string { return "WSD" }

// Ports returns WS-Discovery's UDP port.
func (WSD) Ports() (tcp, udp []uint16) { return nil, []uint16{wsdPort} }

const wsdPort = 3702

// Inspect checks that the first datagram on port 3702 is XML.
func (WSD) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !eitherPort(f, wsdPort) {
		return NotMine
	}
	if !hasPrefix(p.Payload, "<?xml") && !hasPrefix(p.Payload, "<soap:Envelope") {
		return NotMine
	}
	return claim(f, "WSD", "")
}
