package dpi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// QUIC version numbers that need special handling. Draft versions are
// 0xff0000NN, and versions matching 0x?a?a?a?a are reserved to force
// version negotiation (RFC 9000, section 15).
const (
	quicV1       uint32 = 0x00000001
	quicV2       uint32 = 0x6b3343cf // RFC 9369, section 3.1
	quicQ024     uint32 = 0x51303234
	quicQ033     uint32 = 0x51303333
	quicQ039     uint32 = 0x51303339
	quicQ043     uint32 = 0x51303433
	quicQ046     uint32 = 0x51303436
	quicQ050     uint32 = 0x51303530
	quicT050     uint32 = 0x54303530
	quicT051     uint32 = 0x54303531
	quicMVFST22  uint32 = 0xfaceb001
	quicMVFST27  uint32 = 0xfaceb002
	quicMVFSTExp uint32 = 0xfaceb00e
)

// quicMinInitialDatagram is the smallest UDP payload that may carry a
// client's first Initial packet (RFC 9000, section 14.1). Google QUIC
// clients pad their first CHLO the same way.
const quicMinInitialDatagram = 1200

// Initial salts (RFC 9001 section 5.2, RFC 9369 section 3.3.1, and the
// drafts and Google versions that defined their own).
var (
	saltDraft22 = []byte{0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a}
	saltDraft23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	saltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltV1      = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2      = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	saltQ050    = []byte{0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94, 0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45}
	saltT050    = []byte{0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10}
	saltT051    = []byte{0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d}
)

// quicVersionForcesNegotiation reports a reserved 0x?a?a?a?a version.
func quicVersionForcesNegotiation(v uint32) bool { return v&0x0f0f0f0f == 0x0a0a0a0a }

// quicDraft returns the IETF draft number a version follows for its
// Initial protection, or 0 for versions outside the IETF drafts. Version 1
// counts as draft 34, the last draft, whose constants it kept.
func quicDraft(v uint32) int {
	switch {
	case v>>8 == 0xff0000:
		return int(v & 0xff)
	case v == quicV1:
		return 34
	case v == quicMVFST22:
		return 22
	case v == quicMVFST27, v == quicMVFSTExp:
		return 27
	}
	return 0
}

// quicIsGoogle reports Google's own versions: Qnnn and Tnnn.
func quicIsGoogle(v uint32) bool {
	prefix := v & 0xffff0000
	return prefix == 0x51300000 || prefix == 0x54300000
}

// quicIsKnown reports whether v is a version the dissector recognises, so
// that random UDP does not pass for QUIC.
func quicIsKnown(v uint32) bool {
	if quicIsGoogle(v) {
		return v>>8 == 0x513032 || v>>8 == 0x513033 || v>>8 == 0x513034 ||
			v>>8 == 0x513035 || v>>8 == 0x543035
	}
	return v == quicV2 || quicDraft(v) != 0 || v&0xfffff000 == 0xfaceb000 ||
		quicVersionForcesNegotiation(v)
}

// quicHasLongHeader reports versions whose Initial packets follow the
// IETF long header (RFC 9000, section 17.2), Google's Q050 and T05x
// included. Older Google versions use their own public header.
func quicHasLongHeader(v uint32) bool {
	return !quicIsGoogle(v) || v>>8 == 0x513035 || v>>8 == 0x543035
}

// quicCarriesTLS reports versions whose CRYPTO data is a TLS handshake
// rather than a Google CHLO message.
func quicCarriesTLS(v uint32) bool { return !quicIsGoogle(v) || v>>8 == 0x543035 }

// quicVersionName spells a version as nDPI does (ndpi_quic_version2str in
// nDPI 4.x): "V-1", "V-2", "Draft-29", "Q046", "T051", "MVFST-22".
func quicVersionName(v uint32) string {
	switch {
	case v == quicV1:
		return "V-1"
	case v == quicV2:
		return "V-2"
	case v == quicMVFST22:
		return "MVFST-22"
	case v == quicMVFST27:
		return "MVFST-27"
	case v == quicMVFSTExp:
		return "MVFST-EXP"
	case quicIsGoogle(v):
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], v)
		return string(b[:])
	case quicVersionForcesNegotiation(v):
		return "Ver-Negotiation"
	case v>>8 == 0xff0000:
		return fmt.Sprintf("Draft-%d", v&0xff)
	}
	return fmt.Sprintf("Unknown (%04X)", v)
}

// quicInitialSalt returns the salt of a version's Initial secrets, or nil
// when the version's Initial packets cannot be decrypted.
func quicInitialSalt(v uint32) []byte {
	switch v {
	case quicV2:
		return saltV2
	case quicQ050:
		return saltQ050
	case quicT050:
		return saltT050
	case quicT051:
		return saltT051
	}
	switch d := quicDraft(v); {
	case d == 0:
		return nil
	case d <= 22:
		return saltDraft22
	case d <= 28:
		return saltDraft23
	case d <= 32:
		return saltDraft29
	}
	return saltV1
}

// quicLongType returns the packet type of a long header's first byte,
// mapped to version 1 numbering: RFC 9369 section 3.2 renumbers them in v2.
func quicLongType(v uint32, first byte) byte {
	t := first >> 4 & 0x03
	if v == quicV2 {
		return (t + 3) & 0x03
	}
	return t
}

// Long header packet types in version 1 numbering (RFC 9000, section 17.2).
const (
	quicTypeInitial   = 0
	quicTypeZeroRTT   = 1
	quicTypeHandshake = 2
	quicTypeRetry     = 3
)

// quicLongHeader is the parsed long header of one packet in a datagram.
type quicLongHeader struct {
	version uint32
	typ     byte
	dcid    []byte
	scid    []byte
	// pnOffset is the offset of the protected packet number and end the
	// packet's length, both counted from the packet's first byte.
	pnOffset int
	end      int
}

// parseQUICLongHeader parses the long header at the start of b (RFC 9000,
// sections 17.2 and 17.2.2). Retry and version negotiation packets, which
// have no Length field, are reported with end set to len(b).
func parseQUICLongHeader(b []byte) (h quicLongHeader, ok bool) {
	c := quicCursor{b: b}
	first, ok1 := c.u8()
	version, ok2 := c.u32()
	if !ok1 || !ok2 || first&0x80 == 0 {
		return h, false
	}
	h.version = version
	h.typ = quicLongType(version, first)
	var ok3, ok4 bool
	h.dcid, ok3 = c.bytes8()
	h.scid, ok4 = c.bytes8()
	if !ok3 || !ok4 || len(h.dcid) > 20 || len(h.scid) > 20 {
		return h, false
	}

	if version == 0 || h.typ == quicTypeRetry {
		h.end = len(b)
		return h, true
	}
	if h.typ == quicTypeInitial {
		if _, ok := c.varintBytes(); !ok {
			return h, false
		}
	}

	length, ok := c.varint()
	if !ok || length > uint64(c.len()) {
		return h, false
	}
	h.pnOffset = c.off
	h.end = c.off + int(length)
	return h, true
}

// quicKeys holds the client's Initial packet protection keys for one
// destination connection id (RFC 9001, section 5).
type quicKeys struct {
	version uint32
	dcid    [20]byte
	dcidLen int
	aead    cipher.AEAD
	hp      cipher.Block
	iv      [12]byte
}

// matches reports whether the keys were derived for version and dcid.
func (k *quicKeys) matches(version uint32, dcid []byte) bool {
	return k.aead != nil && k.version == version && string(k.dcid[:k.dcidLen]) == string(dcid)
}

// derive computes the client Initial keys for version and dcid.
func (k *quicKeys) derive(version uint32, dcid []byte) bool {
	if len(dcid) > len(k.dcid) {
		return false
	}
	key, iv, hpKey, ok := quicInitialKeyMaterial(version, dcid)
	return ok && k.setCiphers(version, dcid, key, iv, hpKey)
}

// quicInitialKeyMaterial derives the client's Initial packet key, IV and
// header protection key (RFC 9001 section 5.2). The initial secret is
// HKDF-Extract(salt, dcid) and the client's secret its "client in" label.
// The keys are that secret's "quic key", "quic iv" and "quic hp" labels,
// which version 2 renames "quicv2 ..." (RFC 9369 section 3.3.2).
func quicInitialKeyMaterial(version uint32, dcid []byte) (key, iv, hp []byte, ok bool) {
	salt := quicInitialSalt(version)
	if salt == nil {
		return nil, nil, nil, false
	}
	initial, err := hkdf.Extract(sha256.New, dcid, salt)
	if err != nil {
		return nil, nil, nil, false
	}
	client := quicExpandLabel(initial, "client in", sha256.Size)
	prefix := "quic "
	if version == quicV2 {
		prefix = "quicv2 "
	}
	key = quicExpandLabel(client, prefix+"key", 16)
	iv = quicExpandLabel(client, prefix+"iv", 12)
	hp = quicExpandLabel(client, prefix+"hp", 16)
	return key, iv, hp, key != nil && iv != nil && hp != nil
}

// setCiphers builds the AES-128-GCM packet cipher and the AES header
// protection cipher from derived key material.
func (k *quicKeys) setCiphers(version uint32, dcid, key, iv, hpKey []byte) bool {
	block, err := aes.NewCipher(key)
	if err != nil {
		return false
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return false
	}
	hp, err := aes.NewCipher(hpKey)
	if err != nil {
		return false
	}
	k.version, k.aead, k.hp = version, aead, hp
	k.dcidLen = copy(k.dcid[:], dcid)
	copy(k.iv[:], iv)
	return true
}

// quicExpandLabel is TLS 1.3's HKDF-Expand-Label with an empty context
// (RFC 8446, section 7.1), as QUIC uses it. It returns nil on failure.
func quicExpandLabel(secret []byte, label string, length int) []byte {
	const prefix = "tls13 "
	info := make([]byte, 0, 4+len(prefix)+len(label))
	info = binary.BigEndian.AppendUint16(info, uint16(length))
	info = append(info, byte(len(prefix)+len(label)))
	info = append(info, prefix...)
	info = append(info, label...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), length)
	if err != nil {
		return nil
	}
	return out
}

// quicOpener removes header and packet protection from Initial packets.
// Its buffers live with the flow so that decryption does not allocate.
type quicOpener struct {
	keys  quicKeys
	buf   []byte
	mask  [aes.BlockSize]byte
	nonce [12]byte
}

// quicMaxPacket bounds the copy of one packet kept for decryption: no
// QUIC datagram on an Ethernet path exceeds it.
const quicMaxPacket = 1 << 16

// open decrypts the Initial packet pkt with header h in a copy and
// returns its plaintext frames, valid until the next call. A client keeps
// the keys of its first destination connection id after it switches to
// the id the server chose. It derives new keys only after a Retry (RFC
// 9001, section 5.2), so open tries the flow's keys first.
func (o *quicOpener) open(pkt []byte, h *quicLongHeader) ([]byte, bool) {
	if o.keys.aead != nil && o.keys.version == h.version {
		if plain, ok := o.openWith(&o.keys, pkt, h); ok {
			return plain, true
		}
		if o.keys.matches(h.version, h.dcid) {
			return nil, false
		}
	}
	var fresh quicKeys
	if !fresh.derive(h.version, h.dcid) {
		return nil, false
	}
	plain, ok := o.openWith(&fresh, pkt, h)
	if ok {
		o.keys = fresh
	}
	return plain, ok
}

// openWith removes header protection and packet protection with keys
// (RFC 9001, sections 5.3 and 5.4).
func (o *quicOpener) openWith(keys *quicKeys, pkt []byte, h *quicLongHeader) ([]byte, bool) {
	if h.end > len(pkt) || h.end > quicMaxPacket || h.pnOffset+4+aes.BlockSize > h.end {
		return nil, false
	}
	o.buf = append(o.buf[:0], pkt[:h.end]...)
	p := o.buf

	// Header protection: the sample starts 4 bytes after the packet
	// number's start, whatever the packet number's length.
	keys.hp.Encrypt(o.mask[:], p[h.pnOffset+4:h.pnOffset+4+aes.BlockSize])
	p[0] ^= o.mask[0] & 0x0f
	pnLen := int(p[0]&0x03) + 1
	var pn uint64
	for i := range pnLen {
		p[h.pnOffset+i] ^= o.mask[1+i]
		pn = pn<<8 | uint64(p[h.pnOffset+i])
	}

	// The nonce is the IV with the packet number XORed into its low bytes.
	// Initial packet numbers are small, so the truncated number is the
	// full one.
	header := p[:h.pnOffset+pnLen]
	sealed := p[h.pnOffset+pnLen:]
	if len(sealed) < keys.aead.Overhead() {
		return nil, false
	}
	o.nonce = keys.iv
	for i := range 8 {
		o.nonce[len(o.nonce)-1-i] ^= byte(pn >> (8 * i))
	}
	plain, err := keys.aead.Open(sealed[:0], o.nonce[:], sealed, header)
	if err != nil {
		return nil, false
	}
	return plain, true
}

// quicCursor reads big-endian integers and QUIC variable-length integers
// (RFC 9000, section 16) from a byte slice without ever panicking.
type quicCursor struct {
	b   []byte
	off int
}

func (c *quicCursor) len() int { return len(c.b) - c.off }

func (c *quicCursor) u8() (byte, bool) {
	if c.len() < 1 {
		return 0, false
	}
	c.off++
	return c.b[c.off-1], true
}

func (c *quicCursor) u32() (uint32, bool) {
	v, ok := c.bytes(4)
	if !ok {
		return 0, false
	}
	return binary.BigEndian.Uint32(v), true
}

func (c *quicCursor) bytes(n int) ([]byte, bool) {
	if n < 0 || c.len() < n {
		return nil, false
	}
	c.off += n
	return c.b[c.off-n : c.off], true
}

// bytes8 reads a byte string preceded by its one-byte length.
func (c *quicCursor) bytes8() ([]byte, bool) {
	n, ok := c.u8()
	if !ok {
		return nil, false
	}
	return c.bytes(int(n))
}

// varint reads a variable-length integer: the two high bits of the first
// byte give its length, 1, 2, 4 or 8 bytes.
func (c *quicCursor) varint() (uint64, bool) {
	if c.len() < 1 {
		return 0, false
	}
	n := 1 << (c.b[c.off] >> 6)
	raw, ok := c.bytes(n)
	if !ok {
		return 0, false
	}
	v := uint64(raw[0] & 0x3f)
	for _, x := range raw[1:] {
		v = v<<8 | uint64(x)
	}
	return v, true
}

// varintBytes reads a byte string preceded by its varint length.
func (c *quicCursor) varintBytes() ([]byte, bool) {
	n, ok := c.varint()
	if !ok || n > uint64(c.len()) {
		return nil, false
	}
	return c.bytes(int(n))
}

// googleHeader is the parsed header of a Google QUIC packet of a version
// before Q050, whose payload travels in clear behind a 12-byte hash.
type googleHeader struct {
	version uint32
	// end is the offset of the first frame.
	end int
}

// parseGoogleHeader parses a client packet of Google QUIC Q024 to Q046
// that carries its version. Up to Q043 that is the public header: a flags
// byte (0x01 version present, 0x08 8-byte connection id, 0x30 packet
// number length), connection id, version and packet number. Up to Q033 a
// private flags byte follows the hash. Q046 uses a long header with 0xc3
// as first byte (4-byte packet number), a 0x50 byte for an 8-byte
// destination connection id and no source connection id.
func parseGoogleHeader(b []byte) (h googleHeader, ok bool) {
	const hashLen = 12
	c := quicCursor{b: b}
	flags, _ := c.u8()
	if flags == 0xc3 {
		h.version, ok = c.u32()
		lengths, _ := c.u8()
		if !ok || h.version != quicQ046 || lengths != 0x50 {
			return h, false
		}
		h.end = 1 + 4 + 1 + 8 + 4 + hashLen
		return h, h.end <= len(b)
	}
	if flags&0xc9 != 0x09 {
		return h, false
	}
	if _, ok := c.bytes(8); !ok {
		return h, false
	}
	h.version, ok = c.u32()
	if !ok || !quicIsGoogle(h.version) || h.version < quicQ024 || h.version > quicQ043 {
		return h, false
	}
	pnLen := [4]int{1, 2, 4, 6}[flags>>4&0x03]
	h.end = 1 + 8 + 4 + pnLen + hashLen
	if h.version <= quicQ033 {
		h.end++
	}
	return h, h.end <= len(b)
}
