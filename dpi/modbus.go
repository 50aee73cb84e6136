package dpi

// Modbus/TCP frames (Modbus Messaging on TCP/IP Implementation Guide
// V1.0b, section 3.1.3) start with the MBAP header: transaction ID,
// protocol ID (0 for Modbus) and the length of what follows (16 bits
// each), then the unit ID and the function code.
const (
	modbusMBAPLen = 7
	modbusPort    = 502
	modbusMaxADU  = 260
	// modbusUMAS is the function code of Schneider Electric's UMAS, its
	// engineering protocol for Modicon controllers, carried in Modbus.
	modbusUMAS = 0x5a
)

// Modbus recognises Modbus/TCP. Its header is loose, so only flows on the
// Modbus port are inspected.
type Modbus struct{}

// Name returns nDPI's name for the protocol.
func (Modbus) Name() string { return "Modbus" }

// Ports returns the Modbus/TCP port.
func (Modbus) Ports() (tcp, udp []uint16) { return []uint16{modbusPort}, nil }

// Inspect claims a TCP flow on port 502 whose segment is one frame.
func (Modbus) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP || (f.Server.Port() != modbusPort && f.Client.Port() != modbusPort) {
		return NotMine
	}
	if !modbusFrame(p.Payload) {
		return NotMine
	}
	app := ""
	if p.Payload[modbusMBAPLen] == modbusUMAS {
		app = "UMAS"
	}
	f.SetResult("Modbus", app)
	return Done
}

func modbusFrame(b []byte) bool {
	if len(b) <= modbusMBAPLen || len(b) > modbusMaxADU || b[2] != 0 || b[3] != 0 {
		return false
	}
	length := int(b[4])<<8 | int(b[5])
	function := b[7] &^ 0x80 // an exception response sets the high bit
	return length == len(b)-6 && function != 0
}
