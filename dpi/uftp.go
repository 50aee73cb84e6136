package dpi

// UFTP header, common to versions 4 and 5: version (0x40 or 0x50),
// function (1 ANNOUNCE to 21 CC_ACK, as Wireshark's UFTP 5 dissector
// lists them), sequence number (16 bits), source ID, group ID (32 bits
// each), group instance, GRTT, group size and a reserved byte. Every message body then starts with its
// function again and its header length in 4-byte words.
const (
	uftpHeaderLen  = 16
	uftpVersion4   = 0x40
	uftpVersion5   = 0x50
	uftpMaxFunc    = 21
	uftpPort       = 1044
	uftpBodyHeader = 2
)

// UFTP recognises UFTP, the encrypted multicast file transfer protocol.
type UFTP struct{}

// Name returns nDPI's name for the protocol.
func (UFTP) Name() string { return "UFTP" }

// Ports returns UFTP's default port.
func (UFTP) Ports() (tcp, udp []uint16) { return nil, []uint16{uftpPort} }

// Inspect claims a UDP flow whose datagram has a UFTP header followed by
// a body that repeats the header's function and fits its stated length.
func (UFTP) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < uftpHeaderLen+uftpBodyHeader {
		return NotMine
	}
	if b[0] != uftpVersion4 && b[0] != uftpVersion5 {
		return NotMine
	}
	fn, bodyFn, words := b[1], b[uftpHeaderLen], int(b[uftpHeaderLen+1])
	if fn == 0 || fn > uftpMaxFunc || bodyFn != fn || words == 0 || uftpHeaderLen+4*words > len(b) {
		return NotMine
	}
	f.SetResult("UFTP", "")
	return Done
}
