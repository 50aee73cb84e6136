package dpi

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/flowlens/flowlens/record"
)

// oidSubjectAltName is the subjectAltName extension (RFC 5280 section
// 4.2.1.6).
var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

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
// uses crypto/x509 first. When x509 rejects the certificate, because odd
// encodings are common in the field, a minimal DER walk of RFC 5280
// section 4.1 still reads the names, validity and SANs. It returns false
// only when der is not a certificate-shaped SEQUENCE at all.
func parseCertificate(der []byte) (*record.Cert, bool) {
	sum := sha1.Sum(der)
	c := &record.Cert{SHA1: hex.EncodeToString(sum[:])}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return c, parseCertificateDER(der, c)
	}
	c.Subject = formatName(x.RawSubject)
	c.Issuer = formatName(x.RawIssuer)
	c.NotBefore, c.NotAfter = x.NotBefore.UTC(), x.NotAfter.UTC()
	for _, e := range x.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			c.SAN = parseSubjectAltName(e.Value)
		}
	}
	return c, true
}

// parseCertificateDER walks Certificate and TBSCertificate (RFC 5280
// section 4.1) field by field, tolerating what x509 rejects inside the
// fields it does not need (serial numbers, keys, signature algorithms).
func parseCertificateDER(der []byte, c *record.Cert) bool {
	var cert, tbs asn1.RawValue
	if _, err := asn1.Unmarshal(der, &cert); err != nil || cert.Tag != asn1.TagSequence {
		return false
	}
	if _, err := asn1.Unmarshal(cert.Bytes, &tbs); err != nil || tbs.Tag != asn1.TagSequence {
		return false
	}

	fields := derFields(tbs.Bytes)
	if len(fields) > 0 && fields[0].Class == asn1.ClassContextSpecific && fields[0].Tag == 0 {
		fields = fields[1:] // explicit version
	}
	// serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
	if len(fields) < 5 {
		return false
	}
	c.Issuer = formatName(fields[2].FullBytes)
	c.NotBefore, c.NotAfter = parseValidity(fields[3].Bytes)
	c.Subject = formatName(fields[4].FullBytes)
	for _, f := range fields[5:] {
		if f.Class == asn1.ClassContextSpecific && f.Tag == 3 {
			c.SAN = findSubjectAltName(f.Bytes)
		}
	}
	return true
}

// derFields splits the contents of a constructed value into its elements,
// stopping at the first malformed one.
func derFields(b []byte) []asn1.RawValue {
	var out []asn1.RawValue
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			break
		}
		out = append(out, v)
		b = rest
	}
	return out
}

// parseValidity reads Validity ::= SEQUENCE { notBefore Time, notAfter
// Time }, from its contents; a time it cannot read stays zero.
func parseValidity(b []byte) (notBefore, notAfter time.Time) {
	times := derFields(b)
	if len(times) == 2 {
		notBefore = parseDERTime(times[0])
		notAfter = parseDERTime(times[1])
	}
	return notBefore, notAfter
}

func parseDERTime(v asn1.RawValue) time.Time {
	var t time.Time
	if _, err := asn1.Unmarshal(v.FullBytes, &t); err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// findSubjectAltName looks for subjectAltName in the contents of the [3]
// extensions field: a SEQUENCE of Extension ::= SEQUENCE { extnID,
// critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
func findSubjectAltName(b []byte) []string {
	var list asn1.RawValue
	if _, err := asn1.Unmarshal(b, &list); err != nil {
		return nil
	}
	for _, ext := range derFields(list.Bytes) {
		parts := derFields(ext.Bytes)
		if len(parts) < 2 {
			continue
		}
		var id asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(parts[0].FullBytes, &id); err != nil || !id.Equal(oidSubjectAltName) {
			continue
		}
		value := parts[len(parts)-1]
		if value.Tag == asn1.TagOctetString {
			return parseSubjectAltName(value.Bytes)
		}
	}
	return nil
}

// parseSubjectAltName returns the dNSName and iPAddress entries of a
// GeneralNames value (RFC 5280 section 4.2.1.6) in certificate order,
// addresses as net/netip prints them.
func parseSubjectAltName(b []byte) []string {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(b, &seq); err != nil {
		return nil
	}
	var names []string
	for _, gn := range derFields(seq.Bytes) {
		if gn.Class != asn1.ClassContextSpecific {
			continue
		}
		switch gn.Tag {
		case 2: // dNSName; DNS names are case-insensitive and nDPI lowercases them
			names = append(names, strings.ToLower(string(gn.Bytes)))
		case 7: // iPAddress
			if addr, ok := netip.AddrFromSlice(gn.Bytes); ok {
				names = append(names, addr.String())
			}
		}
	}
	return names
}

// nameKeys are the attribute types that the record shows, with their
// RFC 4514 short names. nDPI's reports show only these six, so other
// attributes (serialNumber, emailAddress, ...) are left out to keep the
// two comparable.
var nameKeys = map[int]string{3: "CN", 6: "C", 7: "L", 8: "ST", 10: "O", 11: "OU"}

// formatName writes a DER Name (RFC 5280 section 4.1.2.4) as "KEY=value"
// pairs in certificate order, joined by ", ", values unescaped.
func formatName(der []byte) string {
	var rdns asn1.RawValue
	if _, err := asn1.Unmarshal(der, &rdns); err != nil {
		return ""
	}
	var b strings.Builder
	for _, rdn := range derFields(rdns.Bytes) {
		for _, atv := range derFields(rdn.Bytes) {
			key, value, ok := readAttribute(atv.Bytes)
			if !ok {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(key + "=" + value)
		}
	}
	return b.String()
}

// readAttribute reads AttributeTypeAndValue ::= SEQUENCE { type OID,
// value ANY } for the types in nameKeys.
func readAttribute(b []byte) (key, value string, ok bool) {
	parts := derFields(b)
	if len(parts) != 2 {
		return "", "", false
	}
	var id asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(parts[0].FullBytes, &id); err != nil {
		return "", "", false
	}
	if len(id) != 4 || id[0] != 2 || id[1] != 5 || id[2] != 4 {
		return "", "", false
	}
	key, ok = nameKeys[id[3]]
	return key, decodeDirectoryString(parts[1]), ok
}

// decodeDirectoryString returns a string value as text: BMPString is
// UTF-16 and UniversalString UTF-32 (both big-endian); the other string
// types are taken byte for byte.
func decodeDirectoryString(v asn1.RawValue) string {
	switch v.Tag {
	case asn1.TagBMPString:
		units := make([]uint16, len(v.Bytes)/2)
		for i := range units {
			units[i] = binary.BigEndian.Uint16(v.Bytes[2*i:])
		}
		return string(utf16.Decode(units))
	case 28: // UniversalString
		runes := make([]rune, len(v.Bytes)/4)
		for i := range runes {
			runes[i] = rune(binary.BigEndian.Uint32(v.Bytes[4*i:]))
		}
		return string(runes)
	}
	return string(v.Bytes)
}
