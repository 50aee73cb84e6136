package dpi

// Bitcoin recognises the Bitcoin peer-to-peer protocol: every message
// starts with the network's 4-byte magic (main net, testnet3, signet or
// regtest) and a 12-byte command name padded with zero bytes.
type Bitcoin struct{}

// Name returns "BITCOIN".
func (Bitcoin) Name() string { return "BITCOIN" }

// Ports returns the main and test networks' TCP ports.
func (Bitcoin) Ports() (tcp, udp []uint16) { return []uint16{8333, 18333}, nil }

const bitcoinCommandLen = 12

var bitcoinMagics = []string{"\xf9\xbe\xb4\xd9", "\x0b\x11\x09\x07", "\x0a\x03\xcf\x40", "\xfa\xbf\xb5\xda"}

// Inspect checks the first message of the direction that spoke first.
func (Bitcoin) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	b := f.Stream(p.Dir)
	if len(b) < 4+bitcoinCommandLen || !bitcoinMagic(b) || !bitcoinCommand(b[4:4+bitcoinCommandLen]) {
		return NotMine
	}
	return claim(f, "BITCOIN", "")
}

func bitcoinMagic(b []byte) bool {
	for _, m := range bitcoinMagics {
		if hasPrefix(b, m) {
			return true
		}
	}
	return false
}

// bitcoinCommand reports whether cmd is lowercase ASCII padded with zeros.
func bitcoinCommand(cmd []byte) bool {
	n := 0
	for n < len(cmd) && cmd[n] >= 'a' && cmd[n] <= 'z' {
		n++
	}
	return n > 0 && allZero(cmd[n:])
}
