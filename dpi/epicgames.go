package dpi

// EpicGames recognises the UDP handshake of Epic Games' online services,
// as nDPI 4.x (protocols/epicgames.c) does. The first datagram carries at
// least 34 bytes: a 32-bit word with bit 0x08 clear, and zeros in bytes 10
// to 33. The first reply from the other endpoint opens with the same word,
// with bit 0x08 set.
type EpicGames struct{}

// Layout of the opening datagram.
const (
	epicGamesMinLen    = 34
	epicGamesZeroStart = 10
	epicGamesReplyBit  = 0x08
	// epicGamesMaxPackets is the count of datagrams after which a flow
	// without the reply is not Epic's.
	epicGamesMaxPackets = 4
)

// epicGamesState is the opening datagram's direction and first word.
type epicGamesState struct {
	dir  Direction
	word uint32
}

// Name returns "EpicGames".
func (EpicGames) Name() string { return "EpicGames" }

// Inspect checks the flow's first datagram and the first reply to it.
func (EpicGames) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	if f.Packets[0]+f.Packets[1] == 1 {
		word, ok := u32At(p.Payload, 0)
		if !ok || len(p.Payload) < epicGamesMinLen || word&epicGamesReplyBit != 0 ||
			!allZero(p.Payload[epicGamesZeroStart:epicGamesMinLen]) {
			return NotMine
		}
		st := Scratch[epicGamesState](f, "EpicGames")
		st.dir, st.word = p.Dir, word
		return NeedMore
	}
	// Only a flow whose first datagram matched gets here, so the state
	// exists and Scratch allocates nothing.
	st := Scratch[epicGamesState](f, "EpicGames")
	if p.Dir != st.dir {
		word, ok := u32At(p.Payload, 0)
		if !ok || len(p.Payload) <= 4 || word != st.word|epicGamesReplyBit {
			return NotMine
		}
		return claim(f, "EpicGames", "")
	}
	if f.Packets[0]+f.Packets[1] >= epicGamesMaxPackets {
		return NotMine
	}
	return NeedMore
}
