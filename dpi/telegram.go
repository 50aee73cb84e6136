package dpi

// Telegram calls relay media through reflectors. A client first asks a
// reflector for its public endpoints with a 40-byte datagram: the call's
// 16-byte peer tag, twelve 0xff bytes, the request type 0xfffffffe
// (little endian) and an 8-byte query id.
const (
	telegramReflectorRequestLen = 40
	telegramPeerTagLen          = 16
	telegramFillerLen           = 12
)

var telegramPublicEndpointsRequest = [4]byte{0xfe, 0xff, 0xff, 0xff}

// Telegram recognises the UDP calls of Telegram from the first request a
// client sends to a reflector.
type Telegram struct{}

// Name returns nDPI's name for the application.
func (Telegram) Name() string { return "Telegram" }

// Inspect claims a UDP flow that opens with a reflector request.
func (Telegram) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 17 || len(b) != telegramReflectorRequestLen {
		return NotMine
	}
	filler := b[telegramPeerTagLen : telegramPeerTagLen+telegramFillerLen]
	for _, c := range filler {
		if c != 0xff {
			return NotMine
		}
	}
	typ := b[telegramPeerTagLen+telegramFillerLen : telegramPeerTagLen+telegramFillerLen+4]
	if [4]byte(typ) != telegramPublicEndpointsRequest {
		return NotMine
	}
	f.SetResult("Telegram", "")
	return Done
}
