package dpi

import (
	"bytes"
	"encoding/binary"
)

// BitTorrent's usual ports: the default listening port of several
// clients, and Local Service Discovery (BEP 14).
const (
	bittorrentPort    = 51413
	bittorrentLSDPort = 6771
)

var (
	// bittorrentHandshake starts the peer wire handshake (BEP 3): the
	// length of the protocol string, 19, and the string.
	bittorrentHandshake = []byte("\x13BitTorrent protocol")
	// bittorrentLSDSearch starts a Local Service Discovery announce.
	bittorrentLSDSearch = []byte("BT-SEARCH * HTTP/1.1\r\n")
	// bittorrentKRPCType is the bencoded "y" key of every DHT message
	// (BEP 5), followed by its one-letter type.
	bittorrentKRPCType = []byte("1:y1:")
)

// uTP header (BEP 29): type and version, extension, connection id,
// timestamp, timestamp difference, window size, sequence and ack numbers.
const (
	utpHeaderLen = 20
	utpVersion   = 1
	utpTypeState = 2
	utpTypeSyn   = 4
	utpMaxExt    = 2
)

// BitTorrent recognises BitTorrent peers: the peer wire handshake over
// TCP, and over UDP the DHT's bencoded KRPC messages, Local Service
// Discovery and the uTP connection handshake.
type BitTorrent struct{}

// Name returns nDPI's name for the protocol.
func (BitTorrent) Name() string { return "BitTorrent" }

// Ports returns the default peer port and the discovery port.
func (BitTorrent) Ports() (tcp, udp []uint16) {
	return []uint16{bittorrentPort}, []uint16{bittorrentPort, bittorrentLSDPort}
}

// bittorrentState keeps a uTP SYN until the reply that confirms it.
type bittorrentState struct {
	synConn, synSeq uint16
	sawSyn          bool
}

// Inspect claims the flow on a handshake, a DHT message, a discovery
// announce, or a uTP SYN acknowledged by a STATE.
func (BitTorrent) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol == 6 {
		if !bytes.HasPrefix(f.Stream(p.Dir), bittorrentHandshake) {
			return bittorrentGiveUp(f)
		}
		f.SetResult("BitTorrent", "")
		return Done
	}
	if bittorrentKRPC(b) || bytes.HasPrefix(b, bittorrentLSDSearch) || bittorrentUTP(f, p) {
		f.SetResult("BitTorrent", "")
		return Done
	}
	return bittorrentGiveUp(f)
}

func bittorrentGiveUp(f *Flow) Verdict {
	if f.Packets[0]+f.Packets[1] >= 4 {
		return NotMine
	}
	return NeedMore
}

// bittorrentKRPC reports whether b is a bencoded dictionary holding the
// "y" key of a KRPC query, response or error.
func bittorrentKRPC(b []byte) bool {
	if len(b) < 8 || b[0] != 'd' || b[len(b)-1] != 'e' {
		return false
	}
	i := bytes.Index(b, bittorrentKRPCType)
	if i < 0 || i+len(bittorrentKRPCType) >= len(b) {
		return false
	}
	switch b[i+len(bittorrentKRPCType)] {
	case 'q', 'r', 'e':
		return true
	}
	return false
}

// bittorrentUTP remembers a client's uTP SYN and reports whether p is
// the server's STATE that acknowledges it on the same connection (the
// SYN's connection id, its sequence number as ack).
func bittorrentUTP(f *Flow, p *Packet) bool {
	b := p.Payload
	if len(b) < utpHeaderLen || b[0]&0x0f != utpVersion || b[1] > utpMaxExt {
		return false
	}
	typ := b[0] >> 4
	conn := binary.BigEndian.Uint16(b[2:4])
	st := Scratch[bittorrentState](f, "BitTorrent")
	if p.Dir == ClientToServer && typ == utpTypeSyn {
		st.sawSyn, st.synConn, st.synSeq = true, conn, binary.BigEndian.Uint16(b[16:18])
		return false
	}
	ack := binary.BigEndian.Uint16(b[18:20])
	return st.sawSyn && p.Dir == ServerToClient && typ == utpTypeState && conn == st.synConn && ack == st.synSeq
}
