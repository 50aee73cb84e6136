package dpi

import (
	"bytes"
	"encoding/binary"
)

// openvpnPort is OpenVPN's registered port on TCP and UDP.
const openvpnPort = 1194

// OpenVPN packet opcodes (the high five bits of the first byte, the low
// three being the key id), from OpenVPN's protocol documentation
// (doc/protocol-overview.rst, "packet opcodes").
const (
	openvpnHardResetClientV1 = 1
	openvpnHardResetServerV1 = 2
	openvpnControlV1         = 4
	openvpnAckV1             = 5
	openvpnHardResetClientV2 = 7
	openvpnHardResetServerV2 = 8
	openvpnHardResetClientV3 = 10
	openvpnControlWKCV1      = 11

	openvpnSessionIDLen = 8
	openvpnMinPacket    = 1 + openvpnSessionIDLen
)

// OpenVPN recognises OpenVPN's control channel handshake. A client opens
// with a hard reset carrying its 64-bit session id. The flow is claimed
// when the server's hard reset acknowledges that session id, or when
// the client's next control packet repeats it. Over TCP every packet is
// preceded by its 16-bit length.
type OpenVPN struct{}

// Name returns nDPI's name for the protocol.
func (OpenVPN) Name() string { return "OpenVPN" }

// Ports returns OpenVPN's port.
func (OpenVPN) Ports() (tcp, udp []uint16) { return []uint16{openvpnPort}, []uint16{openvpnPort} }

// openvpnState keeps the client's session id from its hard reset.
type openvpnState struct {
	session [openvpnSessionIDLen]byte
}

// Inspect follows the first packets of the handshake.
func (OpenVPN) Inspect(f *Flow, p *Packet) Verdict {
	b, ok := openvpnPacket(f, p.Payload)
	if !ok {
		return NotMine
	}
	opcode := b[0] >> 3
	st := Scratch[openvpnState](f, "OpenVPN")
	first := f.Packets[ClientToServer] == 1 && p.Dir == ClientToServer
	switch {
	case first:
		// The first hard reset uses key id 0.
		if !openvpnClientReset(opcode) || b[0]&0x07 != 0 {
			return NotMine
		}
		copy(st.session[:], b[1:openvpnMinPacket])
		return NeedMore
	case p.Dir == ClientToServer && openvpnClientReset(opcode) && bytes.Equal(b[1:openvpnMinPacket], st.session[:]):
		// A retransmitted hard reset proves nothing.
		return openvpnWait(f)
	case p.Dir == ServerToClient && (opcode == openvpnHardResetServerV1 || opcode == openvpnHardResetServerV2):
		// With tls-crypt the acknowledged session id is encrypted: the
		// client's next packet decides.
		if !bytes.Contains(b[openvpnMinPacket:], st.session[:]) {
			return openvpnWait(f)
		}
	case p.Dir == ClientToServer && openvpnControlOpcode(opcode):
		if !bytes.Equal(b[1:openvpnMinPacket], st.session[:]) {
			return NotMine
		}
	default:
		return NotMine
	}
	f.SetResult("OpenVPN", "")
	return Done
}

// openvpnPacket returns the OpenVPN packet in a payload: the datagram,
// or for TCP the packet after its length, which must match.
func openvpnPacket(f *Flow, b []byte) ([]byte, bool) {
	if f.Protocol == 6 {
		if len(b) < 2 || int(binary.BigEndian.Uint16(b)) != len(b)-2 {
			return nil, false
		}
		b = b[2:]
	}
	return b, len(b) >= openvpnMinPacket
}

func openvpnClientReset(op byte) bool {
	return op == openvpnHardResetClientV1 || op == openvpnHardResetClientV2 || op == openvpnHardResetClientV3
}

func openvpnControlOpcode(op byte) bool {
	return op == openvpnControlV1 || op == openvpnAckV1 || op == openvpnControlWKCV1
}

func openvpnWait(f *Flow) Verdict {
	if f.Packets[0]+f.Packets[1] >= 6 {
		return NotMine
	}
	return NeedMore
}
