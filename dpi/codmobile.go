package dpi

import "bytes"

// CoDMobile recognises the UDP traffic of the game Call of Duty: Mobile
// in its first four datagrams, as nDPI 4.x (protocols/cod_mobile.c) does.
// One of them is a 12-byte ping ("ping" at offset 8) to or from port 7500,
// or longer than 350 bytes, opening with 0xce and naming a loadout
// ("LOC_PREFAB_LOADOUTNAME_1").
type CoDMobile struct{}

const (
	codMobilePingPort   = 7500
	codMobilePingLen    = 12
	codMobileStateMin   = 351
	codMobileStateHead  = 0xce
	codMobileMaxPackets = 4
)

var codMobileLoadout = []byte("LOC_PREFAB_LOADOUTNAME_1")

// Name returns nDPI's name for the game.
func (CoDMobile) Name() string { return "CoD_Mobile" }

// Inspect checks each of the first datagrams.
func (CoDMobile) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	b := p.Payload
	if len(b) == codMobilePingLen && eitherPort(f, codMobilePingPort) && string(b[8:]) == "ping" {
		return claim(f, "CoD_Mobile", "")
	}
	if len(b) >= codMobileStateMin && b[0] == codMobileStateHead && bytes.Contains(b, codMobileLoadout) {
		return claim(f, "CoD_Mobile", "")
	}
	if f.Packets[0]+f.Packets[1] >= codMobileMaxPackets {
		return NotMine
	}
	return NeedMore
}
