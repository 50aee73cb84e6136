package dpi

import (
	"encoding/binary"
	"strings"

	"github.com/flowlens/flowlens/record"
)

// quicMaxClientPackets bounds the client datagrams the dissector reads
// while waiting for a complete Client Hello. Clients send the whole
// Client Hello within their first few datagrams.
const quicMaxClientPackets = 16

// quicMaxPackets bounds the datagrams of both directions the dissector
// inspects before it gives up on the Client Hello.
const quicMaxPackets = 32

// QUIC is the dissector of IETF QUIC (RFC 9000 and RFC 9369, with the
// drafts and Facebook's mvfst versions still seen) and of Google QUIC.
// It decrypts the client's Initial packets with keys derived from their
// destination connection id (RFC 9001, section 5) and reassembles the
// CRYPTO stream. From it, it reads the TLS Client Hello, or Google's CHLO
// message, which versions before Q050 send in clear.
type QUIC struct{}

// Name returns "QUIC".
func (QUIC) Name() string { return "QUIC" }

// quicState is the per-flow state of the QUIC dissector.
type quicState struct {
	version uint32
	opener  quicOpener
	crypto  quicCrypto
	// decrypted counts the client Initial packets decrypted so far.
	decrypted int
	// claimed is set once the flow proved to be QUIC.
	claimed bool
}

// quicScratchKey is the key of the dissector's state in Flow.Scratch.
const quicScratchKey = "QUIC"

// Inspect claims a UDP flow once a client Initial packet decrypts with
// its version's Initial keys, or once a Google QUIC CHLO parses: a long
// header with a known version alone is not enough, because DNSCrypt and
// other encrypted UDP protocols send datagrams of that shape. It returns
// Done once the Client Hello or CHLO is read, or after quicMaxPackets
// datagrams.
func (QUIC) Inspect(f *Flow, p *Packet) Verdict {
	st, _ := f.scratchValue(quicScratchKey).(*quicState)
	if st == nil {
		if f.Protocol != 17 {
			return NotMine
		}
		version, ok := quicFirstPacketVersion(p.Payload)
		if !ok {
			return NotMine
		}
		st = &quicState{version: version}
	}

	v := NeedMore
	if p.Dir == ClientToServer {
		v = st.inspectClient(f, p.Payload)
	}
	if v == NotMine {
		return NotMine
	}
	f.setScratch(quicScratchKey, st)
	if v == NeedMore && st.claimed {
		v = Claimed
	}
	if v != Done && (f.Packets[ClientToServer] >= quicMaxClientPackets ||
		f.Packets[ClientToServer]+f.Packets[ServerToClient] >= quicMaxPackets) {
		return st.giveUp()
	}
	return v
}

// giveUp ends inspection at the packet bound: a claimed flow is Done, a
// flow that never proved to be QUIC is not QUIC.
func (st *quicState) giveUp() Verdict {
	if st.claimed {
		return Done
	}
	return NotMine
}

// claim marks the flow as QUIC and opens its TLS metadata.
func (st *quicState) claim(f *Flow) {
	if st.claimed {
		return
	}
	st.claimed = true
	f.SetResult("QUIC", "")
	if f.TLS == nil {
		f.TLS = &record.TLS{}
	}
	f.TLS.QUICVersion = quicVersionName(st.version)
}

// quicFirstPacketVersion checks that payload looks like the first
// datagram of a QUIC client: large enough, and a long header (IETF or
// Google) with a known version. It returns that version.
func quicFirstPacketVersion(payload []byte) (uint32, bool) {
	if len(payload) < quicMinInitialDatagram {
		return 0, false
	}
	if h, ok := parseQUICLongHeader(payload); ok && quicIsKnown(h.version) &&
		quicHasLongHeader(h.version) {
		return h.version, h.typ == quicTypeInitial
	}
	h, ok := parseGoogleHeader(payload)
	return h.version, ok
}

// inspectClient reads one client datagram. It returns NotMine when the
// first datagram does not prove the flow is QUIC, Done once the Client
// Hello or CHLO is read, and NeedMore otherwise.
func (st *quicState) inspectClient(f *Flow, payload []byte) Verdict {
	if !quicHasLongHeader(st.version) {
		return st.inspectGoogle(f, payload)
	}
	if quicInitialSalt(st.version) == nil {
		// A reserved 0x?a?a?a?a version asks the server for version
		// negotiation and has no Initial keys: the version itself is the
		// proof, as nDPI 4.x takes it.
		st.claim(f)
		return Done
	}
	st.readInitials(payload)
	if st.decrypted == 0 {
		// The first Initial did not decrypt: the keys are not the ones
		// this version is known to use, so later packets will not either.
		if st.claimed {
			return Done
		}
		return NotMine
	}
	st.claim(f)
	if st.finishHello(f) {
		return Done
	}
	return NeedMore
}

// readInitials decrypts the client Initial packets coalesced in one
// datagram (RFC 9000, section 12.2) and feeds their CRYPTO frames to the
// reassembler. Other long header packets are skipped by their length, and
// a short header packet ends the datagram.
func (st *quicState) readInitials(datagram []byte) {
	for len(datagram) > 0 && datagram[0]&0x80 != 0 {
		h, ok := parseQUICLongHeader(datagram)
		if !ok || h.version != st.version || h.end <= 0 {
			return
		}
		if h.typ == quicTypeInitial {
			if plain, ok := st.opener.open(datagram, &h); ok {
				st.decrypted++
				st.walkFrames(plain)
			}
		}
		datagram = datagram[h.end:]
	}
}

func (st *quicState) walkFrames(plain []byte) {
	if quicIsGoogle(st.version) {
		walkGoogleFrames(plain, &st.crypto)
		return
	}
	walkQUICFrames(plain, &st.crypto)
}

// finishHello parses the Client Hello or CHLO once the CRYPTO stream
// holds all of it, and reports whether it did.
func (st *quicState) finishHello(f *Flow) bool {
	if !quicCarriesTLS(st.version) {
		msg, ok := st.crypto.chlo()
		if ok {
			readCHLO(msg, f)
		}
		return ok
	}
	body, ok := st.crypto.clientHello()
	if !ok {
		return false
	}
	if parseClientHello(body, f.TLS, 'q') {
		// QUIC negotiates TLS 1.3 only (RFC 9001, section 4.2).
		f.TLS.Version = "TLSv1.3"
		readQUICUserAgent(body, st.version, f.TLS)
		setQUICHost(f, f.TLS.SNI)
		if quicIsDoQ(f.TLS.ALPN) {
			f.SetResult("QUIC", "DoH_DoT")
		}
	}
	return true
}

// quicIsDoQ reports whether the first ALPN offered is DNS over QUIC:
// "doq" (RFC 9250, section 4.1.1) or a draft's "doq-iNN".
func quicIsDoQ(alpn []string) bool {
	return len(alpn) > 0 && strings.HasPrefix(alpn[0], "doq")
}

// setQUICHost makes the SNI the flow's host and its summary.
func setQUICHost(f *Flow, sni string) {
	if sni == "" {
		return
	}
	f.Host = sni
	f.Info = sni
}

// inspectGoogle reads a Google QUIC datagram of a version that sends its
// CHLO in clear. A flow whose first datagram holds no CHLO is not QUIC.
func (st *quicState) inspectGoogle(f *Flow, payload []byte) Verdict {
	h, ok := parseGoogleHeader(payload)
	if ok && h.version == st.version {
		if data, ok := googleStreamData(payload[h.end:], h.version); ok {
			if msg, ok := parseCHLO(data); ok {
				st.claim(f)
				readCHLO(msg, f)
				return Done
			}
		}
	}
	if st.claimed {
		return NeedMore
	}
	return NotMine
}

// readCHLO reads the SNI and UAID (user agent) tags of a CHLO message
// that parseCHLO accepted. It checks each tag's end offset again, because
// parseCHLO checks only the last one.
func readCHLO(msg []byte, f *Flow) {
	n := int(binary.LittleEndian.Uint16(msg[4:6]))
	values := msg[8+8*n:]
	prev := uint32(0)
	for i := range n {
		entry := msg[8+8*i : 16+8*i]
		end := binary.LittleEndian.Uint32(entry[4:])
		if end < prev || end > uint32(len(values)) {
			return
		}
		value := values[prev:end]
		switch string(entry[:4]) {
		case "SNI\x00":
			f.TLS.SNI = string(value)
			setQUICHost(f, f.TLS.SNI)
		case "UAID":
			f.TLS.UserAgent = string(value)
		}
		prev = end
	}
}

// TLS extensions that carry QUIC transport parameters: the codepoint of
// RFC 9001 section 8.2, and the one drafts before 33 used.
const (
	extQUICTransportParams      = 0x39
	extQUICTransportParamsDraft = 0xffa5
)

// quicParamGoogleUserAgent is the transport parameter in which Chrome
// sends its user agent, as it did in gQUIC's UAID tag.
const quicParamGoogleUserAgent = 0x3129

// readQUICUserAgent sets t.UserAgent from the google_user_agent transport
// parameter of a Client Hello body, if present. Since draft 27 and T051
// parameters are a varint id, a varint length and the value (RFC 9000,
// section 18). Earlier versions prefix the list with its 2-byte length
// and use 2-byte ids and lengths.
func readQUICUserAgent(body []byte, version uint32, t *record.TLS) {
	params, ok := quicHelloExtension(body, extQUICTransportParams, extQUICTransportParamsDraft)
	if !ok {
		return
	}
	varints := version == quicT051 || version == quicV2 || quicDraft(version) >= 27
	c := quicCursor{b: params}
	if !varints {
		c.off = 2
	}
	for c.len() > 0 {
		id, value, ok := readQUICParam(&c, varints)
		if !ok {
			return
		}
		if id == quicParamGoogleUserAgent {
			t.UserAgent = string(value)
			return
		}
	}
}

// readQUICParam reads one transport parameter in either encoding.
func readQUICParam(c *quicCursor, varints bool) (id uint64, value []byte, ok bool) {
	if varints {
		id, ok = c.varint()
		value, ok2 := c.varintBytes()
		return id, value, ok && ok2
	}
	raw, ok1 := c.bytes(2)
	n, ok2 := c.bytes(2)
	if !ok1 || !ok2 {
		return 0, nil, false
	}
	value, ok = c.bytes(int(binary.BigEndian.Uint16(n)))
	return uint64(binary.BigEndian.Uint16(raw)), value, ok
}

// quicHelloExtension returns the data of the first extension of a Client
// Hello body whose type is a or b (RFC 8446, section 4.1.2).
func quicHelloExtension(body []byte, a, b uint16) ([]byte, bool) {
	c := quicCursor{b: body}
	c.bytes(2 + 32) // legacy_version, random
	c.bytes8()      // legacy_session_id
	suitesLen, ok1 := c.bytes(2)
	if !ok1 {
		return nil, false
	}
	_, ok2 := c.bytes(int(binary.BigEndian.Uint16(suitesLen)))
	_, ok3 := c.bytes8() // legacy_compression_methods
	extLen, ok4 := c.bytes(2)
	if !ok2 || !ok3 || !ok4 {
		return nil, false
	}
	exts := quicCursor{b: c.b[c.off:min(len(c.b), c.off+int(binary.BigEndian.Uint16(extLen)))]}
	for exts.len() >= 4 {
		head, _ := exts.bytes(4)
		data, ok := exts.bytes(int(binary.BigEndian.Uint16(head[2:])))
		if !ok {
			return nil, false
		}
		if typ := binary.BigEndian.Uint16(head); typ == a || typ == b {
			return data, true
		}
	}
	return nil, false
}
