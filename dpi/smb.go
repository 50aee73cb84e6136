package dpi

import "bytes"

// SMB recognises SMB over direct TCP (MS-SMB2 section 2.1, MS-CIFS
// section 2.1.1.2): each message is framed by a 4-byte header, a zero
// byte and a 24-bit length, as the NetBIOS session message of RFC 1002
// section 4.3.6. An SMB1 message is named "NetBIOS.SMBv1", as nDPI names
// it, and flagged smb_insecure_version. SMB2 and SMB3 messages, plain or
// encrypted, are named "SMBv23".
type SMB struct{}

// Name returns "SMBv23", the name of the protocol that SMB over TCP
// usually is.
func (SMB) Name() string { return "SMBv23" }

// Ports returns the SMB direct TCP port.
func (SMB) Ports() (tcp, udp []uint16) { return []uint16{445}, nil }

// smbDirectHeaderLen is the framing before each message.
const smbDirectHeaderLen = 4

// Protocol identifiers that start SMB1 messages (MS-CIFS section 2.2.3.1),
// SMB2 messages (MS-SMB2 section 2.2.1) and encrypted or compressed SMB3 messages (sections 2.2.41, 2.2.42).
var (
	smbMagic           = []byte{0xff, 'S', 'M', 'B'}
	smb2Magic          = []byte{0xfe, 'S', 'M', 'B'}
	smb3TransformMagic = []byte{0xfd, 'S', 'M', 'B'}
	smb3CompressMagic  = []byte{0xfc, 'S', 'M', 'B'}
)

// Inspect reads the first message of a direction's stream.
func (SMB) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	msg := f.Stream(p.Dir)
	if len(msg) < smbDirectHeaderLen+len(smbMagic) {
		if f.Packets[0]+f.Packets[1] > 2 {
			return NotMine
		}
		return NeedMore
	}
	length := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	if msg[0] != 0 || length < len(smbMagic) {
		return NotMine
	}
	body := msg[smbDirectHeaderLen:]
	switch {
	case bytes.HasPrefix(body, smbMagic):
		f.SetResult("NetBIOS", "SMBv1")
		f.AddRisk("smb_insecure_version")
	case bytes.HasPrefix(body, smb2Magic), bytes.HasPrefix(body, smb3TransformMagic),
		bytes.HasPrefix(body, smb3CompressMagic):
		f.SetResult("SMBv23", "")
	default:
		return NotMine
	}
	return Done
}
