package dpi

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/flowlens/flowlens/record"
)

// oidSubjectAltName is the DER content of the subjectAltName extension's
// OID, 2.5.29.17 (RFC 5280 section 4.2.1.6).
var oidSubjectAltName = []byte{0x55, 0x1d, 0x11}

// Context-specific tags of TBSCertificate (RFC 5280 section 4.1).
var (
	tagVersion    = casn1.Tag(0).Constructed().ContextSpecific()
	tagExtensions = casn1.Tag(3).Constructed().ContextSpecific()
)

// parseLeafCertificate reads the first certificate of a TLS 1.2 (or
// earlier) Certificate message body (RFC 5246 section 7.4.2): a 24-bit
// length-prefixed list of 24-bit length-prefixed DER certificates, the
// server's own first. The rest of the chain may still be missing.
func parseLeafCertificate(body []byte) (*record.Cert, bool) {
	r := tlsReader(body)
	var listLen int
	var der tlsReader
	if !r.u24(&listLen) || !r.vec24(&der) || der.empty() {
		return nil, false
	}
	return parseCertificate(der)
}

// parseCertificate returns the record's view of one DER certificate. It
// returns false only when der is not a certificate-shaped SEQUENCE at all.
func parseCertificate(der []byte) (*record.Cert, bool) {
	sum := sha1.Sum(der)
	c := &record.Cert{SHA1: hex.EncodeToString(sum[:])}
	return c, parseCertificateDER(der, c)
}

// parseCertificateDER walks Certificate and TBSCertificate (RFC 5280
// section 4.1) element by element and reads only the names, the validity
// and the subjectAltName extension. It does not check the fields it skips
// (serial number, algorithms, public key, other extensions), so it reads
// certificates that crypto/x509 rejects for odd encodings there, which are
// common in the field. For certificates that crypto/x509 accepts it gives
// the same values, and it costs a fraction of x509.ParseCertificate, which
// also decodes the key and every extension.
func parseCertificateDER(der []byte, c *record.Cert) bool {
	input := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !input.ReadASN1(&cert, casn1.SEQUENCE) || !cert.ReadASN1(&tbs, casn1.SEQUENCE) {
		return false
	}
	if !tbs.SkipOptionalASN1(tagVersion) {
		return false
	}

	// serialNumber, signature, issuer, validity, subject
	var fields [5]cryptobyte.String
	for i := range fields {
		var tag casn1.Tag
		if !tbs.ReadAnyASN1Element(&fields[i], &tag) {
			return false
		}
	}
	c.Issuer = formatName(fields[2])
	c.NotBefore, c.NotAfter = parseValidity(fields[3])
	c.Subject = formatName(fields[4])

	// subjectPublicKeyInfo, then the optional unique IDs and extensions
	for !tbs.Empty() {
		var field cryptobyte.String
		var tag casn1.Tag
		if !tbs.ReadAnyASN1(&field, &tag) {
			break
		}
		if tag == tagExtensions {
			c.SAN = findSubjectAltName(field)
		}
	}
	return true
}

// parseValidity reads Validity ::= SEQUENCE { notBefore Time, notAfter
// Time }; a time it cannot read stays zero.
func parseValidity(element cryptobyte.String) (notBefore, notAfter time.Time) {
	var times cryptobyte.String
	if !element.ReadASN1(&times, casn1.SEQUENCE) {
		return notBefore, notAfter
	}
	notBefore = readTime(&times)
	notAfter = readTime(&times)
	return notBefore, notAfter
}

// readTime reads one Time ::= CHOICE { utcTime, generalTime }, in UTC. It
// returns the zero time when the value is missing or malformed.
func readTime(s *cryptobyte.String) time.Time {
	var t time.Time
	switch {
	case s.PeekASN1Tag(casn1.UTCTime):
		if !s.ReadASN1UTCTime(&t) {
			return time.Time{}
		}
	case s.PeekASN1Tag(casn1.GeneralizedTime):
		if !s.ReadASN1GeneralizedTime(&t) {
			return time.Time{}
		}
	default:
		return time.Time{}
	}
	return t.UTC()
}

// findSubjectAltName looks for subjectAltName in the contents of the [3]
// extensions field: a SEQUENCE of Extension ::= SEQUENCE { extnID,
// critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
func findSubjectAltName(field cryptobyte.String) []string {
	var list cryptobyte.String
	if !field.ReadASN1(&list, casn1.SEQUENCE) {
		return nil
	}
	for !list.Empty() {
		var ext, id, value cryptobyte.String
		if !list.ReadASN1(&ext, casn1.SEQUENCE) || !ext.ReadASN1(&id, casn1.OBJECT_IDENTIFIER) {
			return nil
		}
		if string(id) != string(oidSubjectAltName) {
			continue
		}
		if !ext.SkipOptionalASN1(casn1.BOOLEAN) || !ext.ReadASN1(&value, casn1.OCTET_STRING) {
			return nil
		}
		return parseSubjectAltName(value)
	}
	return nil
}

// parseSubjectAltName returns the dNSName and iPAddress entries of a
// GeneralNames value (RFC 5280 section 4.2.1.6) in certificate order,
// addresses as net/netip prints them.
func parseSubjectAltName(b []byte) []string {
	input := cryptobyte.String(b)
	var seq cryptobyte.String
	if !input.ReadASN1(&seq, casn1.SEQUENCE) {
		return nil
	}
	var names []string
	for !seq.Empty() {
		var value cryptobyte.String
		var tag casn1.Tag
		if !seq.ReadAnyASN1(&value, &tag) {
			break
		}
		switch tag {
		case casn1.Tag(2).ContextSpecific(): // dNSName; DNS names are case-insensitive and nDPI lowercases them
			names = append(names, strings.ToLower(string(value)))
		case casn1.Tag(7).ContextSpecific(): // iPAddress
			if addr, ok := netip.AddrFromSlice(value); ok {
				names = append(names, addr.String())
			}
		}
	}
	return names
}

// nameKeys are the attribute types that the record shows, indexed by the
// last arc of their OID 2.5.4.x, with their RFC 4514 short names. nDPI's
// reports show only these six, so other attributes (serialNumber,
// emailAddress, ...) are left out to keep the two comparable.
var nameKeys = [12]string{3: "CN", 6: "C", 7: "L", 8: "ST", 10: "O", 11: "OU"}

// formatName writes a DER Name (RFC 5280 section 4.1.2.4) as "KEY=value"
// pairs in certificate order, joined by ", ", values unescaped.
func formatName(der cryptobyte.String) string {
	// The tags of the RDNSequence, its SETs and their SEQUENCEs are not
	// checked, so a Name that crypto/x509 rejects for them still reads.
	var rdns cryptobyte.String
	var tag casn1.Tag
	if !der.ReadAnyASN1(&rdns, &tag) {
		return ""
	}
	var b strings.Builder
	for !rdns.Empty() {
		var rdn cryptobyte.String
		if !rdns.ReadAnyASN1(&rdn, &tag) {
			break
		}
		for !rdn.Empty() {
			var atv cryptobyte.String
			if !rdn.ReadAnyASN1(&atv, &tag) {
				break
			}
			key, value, ok := readAttribute(atv)
			if !ok {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(key)
			b.WriteByte('=')
			b.WriteString(value)
		}
	}
	return b.String()
}

// readAttribute reads the contents of AttributeTypeAndValue ::= SEQUENCE
// { type OID, value ANY } for the types in nameKeys.
func readAttribute(atv cryptobyte.String) (key, value string, ok bool) {
	var id, raw cryptobyte.String
	var tag casn1.Tag
	if !atv.ReadASN1(&id, casn1.OBJECT_IDENTIFIER) || !atv.ReadAnyASN1(&raw, &tag) || !atv.Empty() {
		return "", "", false
	}
	// 2.5.4.x encodes as 0x55 0x04 x for x below 128.
	if len(id) != 3 || id[0] != 0x55 || id[1] != 0x04 || int(id[2]) >= len(nameKeys) || nameKeys[id[2]] == "" {
		return "", "", false
	}
	return nameKeys[id[2]], decodeDirectoryString(tag, raw), true
}

// decodeDirectoryString returns a string value as text: BMPString is
// UTF-16 and UniversalString UTF-32 (both big-endian); the other string
// types are taken byte for byte.
func decodeDirectoryString(tag casn1.Tag, b []byte) string {
	switch tag {
	case casn1.Tag(30): // BMPString
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = binary.BigEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(units))
	case casn1.Tag(28): // UniversalString
		runes := make([]rune, len(b)/4)
		for i := range runes {
			runes[i] = rune(binary.BigEndian.Uint32(b[4*i:]))
		}
		return string(runes)
	}
	return string(b)
}
