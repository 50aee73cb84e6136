package dpi

// SNMP ports: agents on 161, notification receivers on 162 (RFC 3417
// section 4).
const (
	snmpAgentPort = 161
	snmpTrapPort  = 162
)

// SNMP recognises the Simple Network Management Protocol, versions 1,
// 2c and 3. A message is a BER SEQUENCE that fills the datagram and
// starts with the version. Versions 1 and 2c go on with the community
// string and a PDU. Version 3 goes on with the msgGlobalData SEQUENCE.
type SNMP struct{}

// Name returns nDPI's name for the protocol.
func (SNMP) Name() string { return "SNMP" }

// Ports returns the agent and notification ports.
func (SNMP) Ports() (tcp, udp []uint16) { return nil, []uint16{snmpAgentPort, snmpTrapPort} }

// Inspect claims a UDP flow whose first datagram is an SNMP message.
func (SNMP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 17 || !snmpMessage(p.Payload) {
		return NotMine
	}
	f.SetResult("SNMP", "")
	return Done
}

// snmpMessage checks the outer SEQUENCE, the version and what follows it.
func snmpMessage(b []byte) bool {
	if len(b) < 2 || b[0] != berSequence {
		return false
	}
	n, hdr, ok := berLength(b[1:])
	if !ok || 1+hdr+n != len(b) {
		return false
	}
	msg := b[1+hdr:]
	// version: INTEGER of one byte, 0 (v1), 1 (v2c) or 3 (v3).
	if len(msg) < 4 || msg[0] != berInteger || msg[1] != 1 {
		return false
	}
	version, rest := msg[2], msg[3:]
	switch version {
	case 0, 1:
		return snmpCommunityAndPDU(rest)
	case 3:
		return rest[0] == berSequence
	}
	return false
}

// snmpCommunityAndPDU checks the community OCTET STRING and the context
// tag of the PDU after it (GetRequest [0] to Report [8]).
func snmpCommunityAndPDU(b []byte) bool {
	if len(b) < 2 || b[0] != berOctetString {
		return false
	}
	n, hdr, ok := berLength(b[1:])
	if !ok || 1+hdr+n >= len(b) {
		return false
	}
	pdu := b[1+hdr+n]
	return pdu >= 0xa0 && pdu <= 0xa8
}
