package dpi

import "bytes"

// Zoom's media servers listen on UDP ports 8801 to 8810 (Zoom's firewall
// documentation). Its media protocol is not published; the layout used
// here is taken from captures of the client. A call opens with a client
// datagram of type 0x01 that carries a session identifier at offsets 1 to
// 18, which the server's type 0x02 answer repeats. Peers that call each
// other directly exchange datagrams with a fixed ten-byte header.
const (
	zoomFirstMediaPort = 8801
	zoomLastMediaPort  = 8810
	zoomHello          = 0x01
	zoomHelloReply     = 0x02
	zoomSessionEnd     = 19
)

// zoomP2PHeaders are the two forms of the header of peer-to-peer media.
var zoomP2PHeaders = [...][]byte{
	{0x1f, 0x02, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x04, 0x00},
	{0x1f, 0x02, 0x01, 0x00, 0x04, 0x00, 0x01, 0x00, 0x08, 0x00},
}

// zoomState keeps the session identifier of the client's hello.
type zoomState struct {
	session [zoomSessionEnd - 1]byte
	hello   bool
}

// Zoom recognises the UDP media of Zoom calls, through its servers or
// between peers.
type Zoom struct{}

// Name returns nDPI's name for the protocol.
func (Zoom) Name() string { return "Zoom" }

// Ports returns the media servers' ports.
func (Zoom) Ports() (tcp, udp []uint16) {
	for p := uint16(zoomFirstMediaPort); p <= zoomLastMediaPort; p++ {
		udp = append(udp, p)
	}
	return nil, udp
}

// Inspect claims peer-to-peer media from its header, and server media
// once the server has answered the client's hello with its session.
func (Zoom) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != ipProtocolUDP || len(b) < zoomSessionEnd {
		return NotMine
	}
	if zoomIsP2P(b) {
		f.SetResult("Zoom", "")
		return Done
	}
	port := f.Server.Port()
	if port < zoomFirstMediaPort || port > zoomLastMediaPort {
		return NotMine
	}
	return zoomServerHandshake(f, p)
}

func zoomIsP2P(b []byte) bool {
	for _, h := range zoomP2PHeaders {
		if bytes.HasPrefix(b, h) {
			return true
		}
	}
	return false
}

// zoomServerHandshake follows the hello and its answer.
func zoomServerHandshake(f *Flow, p *Packet) Verdict {
	st := Scratch[zoomState](f, "Zoom")
	b := p.Payload
	switch {
	case p.Dir == ClientToServer && b[0] == zoomHello && !st.hello:
		copy(st.session[:], b[1:zoomSessionEnd])
		st.hello = true
		return NeedMore
	case p.Dir == ClientToServer && st.hello:
		return NeedMore
	case p.Dir == ServerToClient && st.hello && b[0] == zoomHelloReply &&
		bytes.Equal(st.session[:], b[1:zoomSessionEnd]):
		f.SetResult("Zoom", "")
		return Done
	}
	return NotMine
}
