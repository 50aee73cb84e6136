package dpi

// NTP recognises the Network Time Protocol (RFC 5905): a UDP datagram
// from or to port 123 whose first byte carries a version from 1 to 4 and
// a mode. Modes 1 to 5 use the 48-byte header of section 7.3; modes 6
// (control, RFC 9327) and 7 (private, ntpd's monitoring) are shorter.
type NTP struct{}

// Name returns "NTP".
func (NTP) Name() string { return "NTP" }

// Ports returns NTP's UDP port.
func (NTP) Ports() (tcp, udp []uint16) { return nil, []uint16{ntpPort} }

const (
	ntpPort       = 123
	ntpHeaderLen  = 48
	ntpModeCtl    = 6
	ntpModePriv   = 7
	ntpCtlMinLen  = 12
	ntpPrivMinLen = 8
)

// Inspect checks the first datagram.
func (NTP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP || !eitherPort(f, ntpPort) {
		return NotMine
	}
	b0, ok := byteAt(p.Payload, 0)
	if !ok {
		return NotMine
	}
	version, mode := (b0>>3)&7, b0&7
	if version < 1 || version > 4 || mode == 0 {
		return NotMine
	}
	minLen := ntpHeaderLen
	switch mode {
	case ntpModeCtl:
		minLen = ntpCtlMinLen
	case ntpModePriv:
		minLen = ntpPrivMinLen
	}
	if len(p.Payload) < minLen {
		return NotMine
	}
	return claim(f, "NTP", "")
}
