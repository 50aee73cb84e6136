package dpi

import (
	"fmt"

	"github.com/flowlens/flowlens/record"
)

// Extension types from IANA's "TLS ExtensionType Values" registry that the
// hello parsers read.
const (
	extServerName          = 0x0000
	extSupportedGroups     = 0x000a
	extECPointFormats      = 0x000b
	extSignatureAlgorithms = 0x000d
	extUseSRTP             = 0x000e // RFC 5764 section 4.1.1
	extALPN                = 0x0010
	extSupportedVersions   = 0x002b
	// extEncryptedServerName is the code point of the encrypted SNI
	// extension of the early draft-ietf-tls-esni versions, before
	// Encrypted Client Hello replaced it.
	extEncryptedServerName = 0xffce
)

// Protocol versions as they travel in legacy_version and supported_versions.
const (
	versionSSL30  = 0x0300
	versionTLS10  = 0x0301
	versionTLS11  = 0x0302
	versionTLS12  = 0x0303
	versionTLS13  = 0x0304
	versionDTLS10 = 0xfeff
	versionDTLS12 = 0xfefd
	versionDTLS13 = 0xfefc
	// versionFizz is the TLS 1.3 draft version that Facebook's Fizz
	// library sends.
	versionFizz = 0xfb1a
)

// isGREASE reports whether v is one of the sixteen reserved GREASE values
// of RFC 8701 section 2 (0x0a0a, 0x1a1a, ..., 0xfafa).
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// tlsVersionName returns the name nDPI gives a protocol version: "TLSv1.2",
// "DTLSv1.0", "GREASE", "TLSv1.3 (draft)" for the 0x7fxx drafts, and
// "TLS (HHHH)" with upper-case hex digits for any other value.
func tlsVersionName(v uint16) string {
	switch v {
	case versionSSL30:
		return "SSLv3"
	case versionTLS10:
		return "TLSv1"
	case versionTLS11:
		return "TLSv1.1"
	case versionTLS12:
		return "TLSv1.2"
	case versionTLS13:
		return "TLSv1.3"
	case versionFizz:
		return "TLSv1.3 (Fizz)"
	case versionDTLS10:
		return "DTLSv1.0"
	case versionDTLS12:
		return "DTLSv1.2"
	case versionDTLS13:
		return "DTLSv1.3"
	}
	if isGREASE(v) {
		return "GREASE"
	}
	if v>>8 == 0x7f {
		return "TLSv1.3 (draft)"
	}
	return fmt.Sprintf("TLS (%04X)", v)
}

// clientHello holds the Client Hello fields that the record and the JA3
// and JA4 fingerprints need, in wire order, GREASE values included.
type clientHello struct {
	version      uint16
	ciphers      []uint16
	extensions   []uint16
	groups       []uint16
	pointFormats []uint8
	sigAlgs      []uint16
	versions     []uint16
	hasSNI       bool
	sni          string
	alpn         []string
	encryptedSNI bool
	srtp         bool
}

// parseClientHello parses the body of a Client Hello handshake message (the
// bytes after its 4-byte handshake header) and fills t: client_versions,
// sni, alpn, ja3, ja4 and, when t has none yet, version from the legacy
// version field. kind is the JA4 transport letter: 't' for TLS over TCP,
// 'q' for QUIC (which also sets version to TLSv1.3, the only version QUIC
// carries), 'd' for DTLS (whose Client Hello has a cookie field).
// It returns false when body is not a whole Client Hello. Then it leaves t
// alone, except that a TLS version in the legacy version field still sets
// an empty version, because nDPI reports the version of a Client Hello
// whose later fields are damaged.
func parseClientHello(body []byte, t *record.TLS, kind byte) bool {
	var ch clientHello
	if !ch.unmarshal(body, kind == 'd') {
		if kind == 't' && t.Version == "" && ch.version >= versionSSL30 && ch.version <= versionTLS13 {
			t.Version = tlsVersionName(ch.version)
		}
		return false
	}
	ch.fill(t, kind)
	return true
}

// unmarshal follows the ClientHello structure of RFC 8446 section 4.1.2
// (RFC 5246 section 7.4.1.2 for earlier versions, RFC 6347 section 4.2.1
// for the DTLS cookie). Extensions are optional before TLS 1.3.
func (ch *clientHello) unmarshal(body []byte, dtls bool) bool {
	r := tlsReader(body)
	var sessionID, cookie, suites, compression tlsReader
	if !r.u16(&ch.version) || !r.skip(32) || !r.vec8(&sessionID) || len(sessionID) > 32 {
		return false
	}
	if dtls && !r.vec8(&cookie) {
		return false
	}

	if !r.vec16(&suites) || suites.empty() {
		return false
	}
	var ok bool
	if ch.ciphers, ok = suites.u16List(); !ok {
		return false
	}
	if !r.vec8(&compression) || compression.empty() {
		// A cipher suite length that overshoots by a few bytes leaves the
		// rest unframed, but the suites still describe the client.
		return true
	}

	if r.empty() {
		return true
	}
	var exts tlsReader
	if !r.vec16(&exts) {
		return false
	}
	for !exts.empty() {
		var typ uint16
		var data tlsReader
		if !exts.u16(&typ) || !exts.vec16(&data) {
			// The extensions before a damaged one still describe the
			// client, as they do for nDPI; the rest cannot be framed.
			return len(ch.extensions) > 0
		}
		ch.extensions = append(ch.extensions, typ)
		ch.readExtension(typ, data)
	}
	return true
}

// readExtension keeps what the record and fingerprints use of one
// extension. A malformed extension body is skipped, not fatal, so that one
// odd extension does not hide the rest of the hello.
func (ch *clientHello) readExtension(typ uint16, data tlsReader) {
	var list tlsReader
	switch typ {
	case extServerName:
		ch.hasSNI = true
		if data.vec16(&list) {
			ch.sni = readHostName(list)
		}
	case extSupportedGroups:
		if data.vec16(&list) {
			ch.groups, _ = list.u16List()
		}
	case extECPointFormats:
		if data.vec8(&list) {
			ch.pointFormats = append([]uint8(nil), list...)
		}
	case extSignatureAlgorithms:
		if data.vec16(&list) {
			ch.sigAlgs, _ = list.u16List()
		}
	case extALPN:
		if data.vec16(&list) {
			ch.alpn = readProtocolNames(list)
		}
	case extSupportedVersions:
		if data.vec8(&list) {
			ch.versions, _ = list.u16List()
		}
	case extEncryptedServerName:
		ch.encryptedSNI = true
	case extUseSRTP:
		ch.srtp = true
	}
}

// readHostName returns the first host_name of a ServerNameList
// (RFC 6066 section 3).
func readHostName(list tlsReader) string {
	for !list.empty() {
		var nameType uint8
		var name tlsReader
		if !list.u8(&nameType) || !list.vec16(&name) {
			return ""
		}
		if nameType == 0 {
			return string(name)
		}
	}
	return ""
}

// readProtocolNames reads a ProtocolNameList (RFC 7301 section 3.1).
func readProtocolNames(list tlsReader) []string {
	var names []string
	for !list.empty() {
		var name tlsReader
		if !list.vec8(&name) {
			break
		}
		names = append(names, string(name))
	}
	return names
}

func (ch *clientHello) fill(t *record.TLS, kind byte) {
	if kind == 'q' {
		t.Version = tlsVersionName(versionTLS13)
	} else if t.Version == "" {
		t.Version = tlsVersionName(ch.version)
	}
	t.ClientVersions = nil
	for _, v := range ch.versions {
		t.ClientVersions = append(t.ClientVersions, tlsVersionName(v))
	}
	t.SNI = ch.sni
	t.ALPN = ch.alpn
	t.EncryptedSNI = ch.encryptedSNI
	t.WebRTC = kind == 'd' && ch.srtp
	t.JA3 = ja3(ch)
	t.JA4 = ja4(ch, kind)
}

// serverHello holds the Server Hello fields that the record and the JA3S
// and JA4S fingerprints need.
type serverHello struct {
	version    uint16
	selected   uint16 // from supported_versions, 0 when absent
	cipher     uint16
	extensions []uint16
	alpn       string
}

// parseServerHello parses the body of a Server Hello handshake message
// (after its 4-byte header) and fills t: version (from supported_versions
// when present, else the legacy version), cipher, negotiated_alpn, ja3s and
// ja4s. kind is the JA4 transport letter as for parseClientHello. It
// returns false, leaving t alone, when body is not a Server Hello.
func parseServerHello(body []byte, t *record.TLS, kind byte) bool {
	var sh serverHello
	if !sh.unmarshal(body) {
		return false
	}
	t.Version = tlsVersionName(sh.negotiated())
	t.Cipher = cipherSuiteName(sh.cipher)
	t.NegotiatedALPN = sh.alpn
	t.JA3S = ja3s(&sh)
	t.JA4S = ja4s(&sh, kind)
	return true
}

// negotiated returns the version the server chose.
func (sh *serverHello) negotiated() uint16 {
	if sh.selected != 0 {
		return sh.selected
	}
	return sh.version
}

// unmarshal follows the ServerHello structure of RFC 8446 section 4.1.3
// (RFC 5246 section 7.4.1.3 for earlier versions; DTLS has the same
// layout).
func (sh *serverHello) unmarshal(body []byte) bool {
	r := tlsReader(body)
	var sessionID tlsReader
	var compression uint8
	if !r.u16(&sh.version) || !r.skip(32) || !r.vec8(&sessionID) || len(sessionID) > 32 ||
		!r.u16(&sh.cipher) || !r.u8(&compression) {
		return false
	}
	if r.empty() {
		return true
	}
	var exts tlsReader
	if !r.vec16(&exts) {
		return false
	}
	for !exts.empty() {
		var typ uint16
		var data tlsReader
		if !exts.u16(&typ) || !exts.vec16(&data) {
			return false
		}
		sh.extensions = append(sh.extensions, typ)
		sh.readExtension(typ, data)
	}
	return true
}

func (sh *serverHello) readExtension(typ uint16, data tlsReader) {
	switch typ {
	case extSupportedVersions:
		data.u16(&sh.selected)
	case extALPN:
		var list tlsReader
		if data.vec16(&list) {
			if names := readProtocolNames(list); len(names) > 0 {
				sh.alpn = names[0]
			}
		}
	}
}
