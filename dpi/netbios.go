package dpi

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// NetBIOS over TCP/IP (RFC 1002) has a name service on UDP 137 (section
// 4.2), a datagram service on UDP 138 (section 4.4) and a session service
// on TCP 139 (section 4.3). SMBv1 also runs in session messages on TCP
// 445 (direct hosting, [MS-SMB] section 2.1).
const (
	netbiosNamePort     = 137
	netbiosDatagramPort = 138
	netbiosSessionPort  = 139
	smbDirectPort       = 445

	netbiosNSHeaderLen  = 12
	netbiosDgmHeaderLen = 14
	// netbiosEncodedLen is the length of a first-level encoded name: 16
	// bytes as 32 letters 'A'-'P' (RFC 1001 section 14.1).
	netbiosEncodedLen = 32
	// netbiosSessionRequest and netbiosKeepAlive are session packet types
	// of RFC 1002 section 4.3.1.
	netbiosSessionMessage = 0x00
	netbiosSessionRequest = 0x81
	netbiosKeepAlive      = 0x85
)

var smb1Magic = []byte("\xffSMB")

// NetBIOS recognises NetBIOS name, datagram and session traffic, and
// names SMBv1 on top of it. The flow's info is the NetBIOS name in a
// name service packet or the source name of a datagram.
type NetBIOS struct{}

// Name returns nDPI's name for the protocol.
func (NetBIOS) Name() string { return "NetBIOS" }

// Ports returns the NetBIOS ports and SMB's direct-hosting port.
func (NetBIOS) Ports() (tcp, udp []uint16) {
	return []uint16{netbiosSessionPort, smbDirectPort}, []uint16{netbiosNamePort, netbiosDatagramPort}
}

// Inspect judges the first payload of the flow.
func (NetBIOS) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol == 6 {
		return netbiosSession(f, p.Payload)
	}
	b := p.Payload
	switch {
	case netbiosOnPort(f, netbiosNamePort) && netbiosNameService(f, b):
	case netbiosOnPort(f, netbiosDatagramPort) && netbiosDatagram(f, b):
	default:
		return NotMine
	}
	return Done
}

func netbiosOnPort(f *Flow, port uint16) bool {
	return f.Server.Port() == port || f.Client.Port() == port
}

// netbiosNameService checks a name service header (RFC 1002 section
// 4.2.1.1) whose first record holds an encoded name.
func netbiosNameService(f *Flow, b []byte) bool {
	if len(b) < netbiosNSHeaderLen+1+netbiosEncodedLen+1 {
		return false
	}
	switch opcode := (b[2] >> 3) & 0x0f; opcode {
	case 0, 5, 6, 7, 8, 9:
	default:
		return false
	}
	if binary.BigEndian.Uint16(b[4:6])+binary.BigEndian.Uint16(b[6:8]) == 0 {
		return false
	}
	name, ok := netbiosReadName(b[netbiosNSHeaderLen:])
	if !ok {
		return false
	}
	f.SetResult("NetBIOS", "")
	f.Info = name
	return true
}

// netbiosDatagram checks a direct or broadcast datagram header (RFC 1002
// section 4.4.1): its length field counts the bytes after the header.
// The source name becomes the flow's info; an SMB header in the user data
// names SMBv1.
func netbiosDatagram(f *Flow, b []byte) bool {
	if len(b) < netbiosDgmHeaderLen || b[0] < 0x10 || b[0] > 0x12 {
		return false
	}
	if int(binary.BigEndian.Uint16(b[10:12])) != len(b)-netbiosDgmHeaderLen {
		return false
	}
	rest := b[netbiosDgmHeaderLen:]
	// A datagram whose source name is damaged still counts, without info.
	source, _ := netbiosReadName(rest)
	app := ""
	if bytes.Contains(rest, smb1Magic) {
		app = "SMBv1"
	}
	f.SetResult("NetBIOS", app)
	f.Info = source
	return true
}

// netbiosSession checks the first session packet (RFC 1002 section
// 4.3.1): a session request carrying two encoded names, a keep-alive, or
// a session message that starts an SMBv1 header.
func netbiosSession(f *Flow, b []byte) Verdict {
	if len(b) < 4 || b[1]&0xfe != 0 {
		return NotMine
	}
	length := int(b[1]&1)<<16 | int(b[2])<<8 | int(b[3])
	onPort := netbiosOnPort(f, netbiosSessionPort)
	switch {
	case b[0] == netbiosSessionMessage && bytes.HasPrefix(b[4:], smb1Magic) && length >= len(smb1Magic):
		f.SetResult("NetBIOS", "SMBv1")
	case onPort && b[0] == netbiosSessionRequest && length == len(b)-4:
		if _, ok := netbiosReadName(b[4:]); !ok {
			return NotMine
		}
		f.SetResult("NetBIOS", "")
	case onPort && b[0] == netbiosKeepAlive && length == 0 && len(b) == 4:
		f.SetResult("NetBIOS", "")
	default:
		return NotMine
	}
	return Done
}

// netbiosReadName decodes a first-level encoded NetBIOS name (RFC 1001
// section 14.1) and its scope labels into "name.scope", lower case,
// without the trailing spaces and the suffix byte of the name. Decoding
// stops at the first byte pair that is not two letters 'A'-'P', as nDPI
// does, so a damaged name yields its readable start.
func netbiosReadName(b []byte) (string, bool) {
	if len(b) < 1+netbiosEncodedLen || b[0] != netbiosEncodedLen {
		return "", false
	}
	var raw [netbiosEncodedLen / 2]byte
	n := 0
	for ; n < len(raw); n++ {
		hi, lo := b[1+2*n]-'A', b[2+2*n]-'A'
		if hi > 15 || lo > 15 {
			break
		}
		raw[n] = hi<<4 | lo
	}
	var sb strings.Builder
	sb.WriteString(strings.ToLower(strings.TrimRight(string(raw[:min(n, 15)]), " \x00")))
	if n < len(raw) {
		return sb.String(), true
	}
	rest := b[1+netbiosEncodedLen:]
	for len(rest) > 0 && rest[0] != 0 && rest[0] < 64 && int(rest[0]) < len(rest) {
		sb.WriteByte('.')
		sb.WriteString(strings.ToLower(string(rest[1 : 1+rest[0]])))
		rest = rest[1+rest[0]:]
	}
	return sb.String(), true
}
