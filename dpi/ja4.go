package dpi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
)

// ja4 returns the JA4 fingerprint of a Client Hello as FoxIO's JA4
// specification defines it (github.com/FoxIO-LLC/ja4, technical details):
//
//	<kind><version><d|i><ciphers:2><extensions:2><alpn:2>_<cipher hash>_<extension hash>
//
// kind is 't' (TLS over TCP), 'q' (QUIC) or 'd' (DTLS). version is the
// highest non-GREASE value of supported_versions, else the legacy version.
// The flag is 'd' when the hello has a server_name extension and 'i'
// otherwise. The counts leave GREASE out and stop at 99. The cipher hash
// is the first 12 hex digits of the SHA-256 of the sorted 4-digit hex cipher
// values joined by ",". The extension hash is the same over the sorted
// extensions without server_name and ALPN, followed by "_" and the
// signature algorithms in wire order when there are any. An empty list
// hashes to "000000000000".
func ja4(ch *clientHello, kind byte) string {
	ciphers := withoutGREASE(ch.ciphers)
	exts := withoutGREASE(ch.extensions)

	sni := byte('i')
	if ch.hasSNI {
		sni = 'd'
	}
	alpn := ""
	if len(ch.alpn) > 0 {
		alpn = ch.alpn[0]
	}
	prefix := fmt.Sprintf("%c%s%c%02d%02d%s", kind, ja4Version(ch.highestVersion()), sni,
		min(len(ciphers), 99), min(len(exts), 99), ja4ALPN(alpn))

	slices.Sort(ciphers)
	hashed := exts[:0:0]
	for _, e := range exts {
		if e != extServerName && e != extALPN {
			hashed = append(hashed, e)
		}
	}
	slices.Sort(hashed)
	extText := hexList(hashed)
	if sigAlgs := withoutGREASE(ch.sigAlgs); len(hashed) > 0 && len(sigAlgs) > 0 {
		extText += "_" + hexList(sigAlgs)
	}
	return prefix + "_" + ja4Hash(hexList(ciphers), len(ciphers)) + "_" + ja4Hash(extText, len(hashed))
}

// ja4s returns the JA4S fingerprint of a Server Hello (FoxIO's JA4S):
//
//	<kind><version><extensions:2><alpn:2>_<cipher as 4 hex digits>_<extension hash>
//
// where version is the selected supported_versions value, else the legacy
// version, and the extension hash is over the extensions in wire order.
func ja4s(sh *serverHello, kind byte) string {
	exts := withoutGREASE(sh.extensions)
	return fmt.Sprintf("%c%s%02d%s_%04x_%s", kind, ja4Version(sh.negotiated()),
		min(len(exts), 99), ja4ALPN(sh.alpn), sh.cipher, ja4Hash(hexList(exts), len(exts)))
}

// highestVersion returns the highest non-GREASE supported_versions value,
// or the legacy version when the extension is absent or holds only GREASE.
func (ch *clientHello) highestVersion() uint16 {
	var highest uint16
	for _, v := range ch.versions {
		if !isGREASE(v) && v > highest {
			highest = v
		}
	}
	if highest == 0 {
		return ch.version
	}
	return highest
}

// ja4Version returns JA4's two-character code for a protocol version.
func ja4Version(v uint16) string {
	switch v {
	case versionTLS13:
		return "13"
	case versionTLS12:
		return "12"
	case versionTLS11:
		return "11"
	case versionTLS10:
		return "10"
	case versionSSL30:
		return "s3"
	case 0x0002:
		return "s2"
	case versionDTLS10:
		return "d1"
	case versionDTLS12:
		return "d2"
	case versionDTLS13:
		return "d3"
	}
	return "00"
}

// ja4ALPN returns the first and last characters of an ALPN value, or "00"
// for none. When either is not an ASCII letter or digit, it returns the
// first and last hex digits of the value instead.
func ja4ALPN(alpn string) string {
	if alpn == "" {
		return "00"
	}
	first, last := alpn[0], alpn[len(alpn)-1]
	if isAlnum(first) && isAlnum(last) {
		return string([]byte{first, last})
	}
	const digits = "0123456789abcdef"
	return string([]byte{digits[first>>4], digits[last&0x0f]})
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func withoutGREASE(values []uint16) []uint16 {
	out := make([]uint16, 0, len(values))
	for _, v := range values {
		if !isGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

// hexList joins values as 4-digit lower-case hex separated by ",".
func hexList(values []uint16) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 5*len(values))
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
	}
	return string(b)
}

// ja4Hash returns the first 12 hex digits of the SHA-256 of text, or
// twelve zeros when the list it was built from is empty.
func ja4Hash(text string, n int) string {
	if n == 0 {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:6])
}
