package dpi

import "encoding/binary"

// EthernetIP recognises EtherNet/IP from its encapsulation header (CIP
// Networks Library volume 2, section 2-3): a known command, a data length
// that fits, and zero options, on the explicit-messaging port 44818.
type EthernetIP struct{}

// Name returns "EthernetIP".
func (EthernetIP) Name() string { return "EthernetIP" }

// Ports returns the EtherNet/IP explicit-messaging port.
func (EthernetIP) Ports() (tcp, udp []uint16) { return []uint16{enipPort}, []uint16{enipPort} }

const (
	enipPort      = 44818
	enipHeaderLen = 24
)

// Inspect checks the encapsulation header that starts the message.
func (EthernetIP) Inspect(f *Flow, p *Packet) Verdict {
	if !onPort(f, enipPort) {
		return NotMine
	}
	msg := streamStart(f, p)
	if len(msg) < enipHeaderLen {
		return waitOrReject(f, len(msg), enipHeaderLen)
	}
	command := binary.LittleEndian.Uint16(msg[0:])
	length := int(binary.LittleEndian.Uint16(msg[2:]))
	options := binary.LittleEndian.Uint32(msg[20:])
	if !enipCommand(command) || options != 0 || length > len(msg)-enipHeaderLen && f.Protocol == ipProtocolUDP {
		return NotMine
	}
	f.SetResult("EthernetIP", "")
	return Done
}

// enipCommand reports whether command is an encapsulation command: NOP,
// ListServices, ListIdentity, ListInterfaces, RegisterSession,
// UnRegisterSession, SendRRData, SendUnitData, IndicateStatus or Cancel.
func enipCommand(command uint16) bool {
	switch command {
	case 0x0000, 0x0004, 0x0063, 0x0064, 0x0065, 0x0066, 0x006f, 0x0070, 0x0072, 0x0073:
		return true
	}
	return false
}

// HiSLIP recognises the High-Speed LAN Instrument Protocol (IVI-6.1,
// section 6.1) from its message header: the prologue "HS", a message
// type, a control code, a 32-bit parameter and a 64-bit payload length.
type HiSLIP struct{}

// Name returns "HiSLIP".
func (HiSLIP) Name() string { return "HiSLIP" }

// Ports returns the HiSLIP port.
func (HiSLIP) Ports() (tcp, udp []uint16) { return []uint16{4880}, nil }

const (
	hislipHeaderLen = 16
	// hislipLastType is the highest message type of IVI-6.1 version 2.0
	// (GetSaslMechanismList and its successors end at 26).
	hislipLastType = 26
	// hislipMaxPayload caps the payload length accepted in a first
	// message; instruments negotiate far smaller maximum sizes.
	hislipMaxPayload = 1 << 32
)

// Inspect checks the header that starts the direction's stream.
func (HiSLIP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	msg := f.Stream(p.Dir)
	if len(msg) < hislipHeaderLen {
		return waitOrReject(f, len(msg), hislipHeaderLen)
	}
	length := binary.BigEndian.Uint64(msg[8:])
	if msg[0] != 'H' || msg[1] != 'S' || msg[2] > hislipLastType || length >= hislipMaxPayload {
		return NotMine
	}
	f.SetResult("HiSLIP", "")
	return Done
}

// HARTIP recognises HART-IP (FieldComm Group HCF_SPEC-085) from its
// 8-byte header: version 1 or 2, a known message type and id, and a byte
// count that covers the message.
type HARTIP struct{}

// Name returns "HART-IP".
func (HARTIP) Name() string { return "HART-IP" }

// Ports returns the HART-IP port.
func (HARTIP) Ports() (tcp, udp []uint16) { return []uint16{hartIPPort}, []uint16{hartIPPort} }

const (
	hartIPPort      = 5094
	hartIPHeaderLen = 8
	// hartIPLastID is the highest message id in use (Direct PDU is 4,
	// session log-ins and their relatives follow up to 20).
	hartIPLastID = 20
)

// Inspect checks the header that starts the message.
func (HARTIP) Inspect(f *Flow, p *Packet) Verdict {
	msg := streamStart(f, p)
	if len(msg) < hartIPHeaderLen {
		return waitOrReject(f, len(msg), hartIPHeaderLen)
	}
	version, typ, id := msg[0], msg[1], msg[2]
	count := int(binary.BigEndian.Uint16(msg[6:]))
	// Message types: request, response, publish, error and NAK.
	knownType := typ <= 3 || typ == 15
	// Over TCP, where a message may span segments and the header alone is
	// weak, the HART-IP port is required as well.
	fits := count == len(msg) ||
		f.Protocol == ipProtocolTCP && onPort(f, hartIPPort) && count >= hartIPHeaderLen && count <= len(msg)
	if version < 1 || version > 2 || !knownType || id > hartIPLastID || !fits {
		return NotMine
	}
	f.SetResult("HART-IP", "")
	return Done
}

// TRDP recognises the Train Real-time Data Protocol (IEC 61375-2-3). Its
// process data on UDP 17224 and message data on UDP and TCP 17225 start
// with a sequence counter, protocol version 1.x and a two-letter message
// type ("Pd", "Mr", ...). A dataset length that fits the datagram follows.
type TRDP struct{}

// Name returns "TRDP".
func (TRDP) Name() string { return "TRDP" }

// Ports returns the TRDP process data and message data ports.
func (TRDP) Ports() (tcp, udp []uint16) { return []uint16{17225}, []uint16{17224, 17225} }

// Header lengths of TRDP process data (PD) and message data (MD).
const (
	trdpPDHeaderLen = 40
	trdpMDHeaderLen = 116
)

// Inspect checks the header that starts the message.
func (TRDP) Inspect(f *Flow, p *Packet) Verdict {
	msg := streamStart(f, p)
	if len(msg) < trdpPDHeaderLen {
		return waitOrReject(f, len(msg), trdpPDHeaderLen)
	}
	version := msg[4]
	kind, letter := msg[6], msg[7]
	dataset := binary.BigEndian.Uint32(msg[20:])
	header := 0
	switch {
	case kind == 'P' && (letter == 'd' || letter == 'p' || letter == 'r' || letter == 'e'):
		header = trdpPDHeaderLen
	case kind == 'M' && (letter == 'n' || letter == 'r' || letter == 'p' || letter == 'q' || letter == 'c' || letter == 'e'):
		header = trdpMDHeaderLen
	}
	if version != 1 || header == 0 || uint64(dataset) > uint64(len(msg)) ||
		f.Protocol == ipProtocolUDP && header+int(dataset) > len(msg) {
		return NotMine
	}
	f.SetResult("TRDP", "")
	return Done
}

// PTPv2 recognises the Precision Time Protocol version 2 (IEEE 1588-2008
// section 13.3) on its event and general ports, from the common header: a
// known message type, versionPTP 2 and a messageLength that fits.
type PTPv2 struct{}

// Name returns "PTPv2".
func (PTPv2) Name() string { return "PTPv2" }

// Ports returns the PTP event and general ports.
func (PTPv2) Ports() (tcp, udp []uint16) { return nil, []uint16{319, 320} }

const ptpHeaderLen = 34

// Inspect checks the common header of the datagram.
func (PTPv2) Inspect(f *Flow, p *Packet) Verdict {
	msg := p.Payload
	if f.Protocol != ipProtocolUDP || !onPort(f, 319, 320) || len(msg) < ptpHeaderLen {
		return NotMine
	}
	typ := msg[0] & 0x0f
	// Event messages are 0 to 3, general messages 8 to 13.
	knownType := typ <= 3 || typ >= 8 && typ <= 13
	// Some senders pad the datagram past messageLength.
	length := int(binary.BigEndian.Uint16(msg[2:]))
	if !knownType || msg[1]&0x0f != 2 || length < ptpHeaderLen || length > len(msg) {
		return NotMine
	}
	f.SetResult("PTPv2", "")
	return Done
}
