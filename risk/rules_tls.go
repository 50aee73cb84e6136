package risk

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// Protocol version numbers as they travel in TLS and DTLS records.
const (
	versionTLS12  = 0x0303
	versionDTLS10 = 0xfeff
)

// tlsVersion returns the version number of a record's version name
// ("TLSv1.2", "DTLSv1.0", "TLS (0100)", "TLSv1.3 (Fizz)").
func tlsVersion(name string) (v uint16, dtls, ok bool) {
	if base, _, found := strings.Cut(name, " ("); found && base != "TLS" {
		name = base
	}
	switch name {
	case "SSLv2":
		return 0x0200, false, true
	case "SSLv3":
		return 0x0300, false, true
	case "TLSv1":
		return 0x0301, false, true
	case "TLSv1.1":
		return 0x0302, false, true
	case "TLSv1.2":
		return 0x0303, false, true
	case "TLSv1.3":
		return 0x0304, false, true
	case "DTLSv1.0":
		return 0xfeff, true, true
	case "DTLSv1.2":
		return 0xfefd, true, true
	case "DTLSv1.3":
		return 0xfefc, true, true
	}
	hex, found := strings.CutPrefix(name, "TLS (")
	if !found {
		return 0, false, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(hex, ")"), 16, 16)
	if err != nil {
		return 0, false, false
	}
	return uint16(n), n >= 0xfe00, true
}

// judgeTLS judges the handshake of TLS, DTLS and QUIC flows.
func (e *Evaluator) judgeTLS(r *record.Flow, _ time.Time, add addFunc) {
	t := r.TLS
	if t == nil {
		return
	}
	quic := r.MasterProtocol == "QUIC"
	version, dtls, known := tlsVersion(t.Version)
	if known && isObsolete(version, dtls) {
		add("tls_obsolete_version", t.Version+" is deprecated by RFC 8996")
	}
	if t.Cipher != "" && isWeakCipher(t.Cipher) {
		add("tls_weak_cipher", t.Cipher+" is not recommended by RFC 9325")
	}
	if isNumericHost(t.SNI) {
		add("numeric_ip_host", "SNI "+t.SNI+" is an IP address")
	}
	// A QUIC Initial that could not be decrypted (an unknown QUIC version)
	// leaves no JA3 and no ALPN: its client hello was not seen.
	helloSeen := t.JA3 != "" || (quic && len(t.ALPN) > 0)
	if offered, ok := clientOfferedVersion(t); ok && offered > version {
		version, known = offered, true
	}
	modern := quic || dtls || (known && version >= versionTLS12)
	if helloSeen && modern && t.SNI == "" && !t.EncryptedSNI && !t.WebRTC {
		add("tls_missing_sni", "client hello without server_name")
		if alpn, ok := webALPN(t.ALPN); ok {
			add("tls_alpn_sni_mismatch", "ALPN "+alpn+" offered without server_name")
		}
	}
	if quic && isGoogleQUIC(t.QUICVersion) && t.SNI == "" {
		add("tls_missing_sni", "gQUIC client hello without SNI tag")
	}
	// nDPI's heuristic: a modern client that offers no ALPN is not a web
	// browser, so the session probably carries something other than HTTPS.
	if !quic && t.JA3 != "" && modern && len(t.ALPN) == 0 {
		add("tls_not_carrying_https", "client hello offers no ALPN")
	}
}

// webALPN returns the first offered ALPN protocol whose name starts with
// "h", the HTTP family ("h2", "http/1.1", "h3"). nDPI raises
// tls_alpn_sni_mismatch only for those.
func webALPN(alpn []string) (string, bool) {
	for _, a := range alpn {
		if strings.HasPrefix(a, "h") {
			return a, true
		}
	}
	return "", false
}

// isGoogleQUIC reports a Google QUIC version name ("Q046", "T051"): gQUIC
// carries the host name in the SNI tag of its CHLO message, not in a TLS
// client hello.
func isGoogleQUIC(version string) bool {
	return len(version) == 4 && (version[0] == 'Q' || version[0] == 'T')
}

// clientOfferedVersion returns the highest TLS version the client offered,
// which the JA4 fingerprint carries in its second and third characters
// ("12" for TLS 1.2, "s3" for SSL 3.0). The client-side heuristics use it
// because a server may negotiate an older version than the client's.
func clientOfferedVersion(t *record.TLS) (uint16, bool) {
	if len(t.JA4) < 3 || t.JA4[0] != 't' {
		return 0, false
	}
	switch t.JA4[1:3] {
	case "13":
		return 0x0304, true
	case "12":
		return 0x0303, true
	case "11":
		return 0x0302, true
	case "10":
		return 0x0301, true
	case "s3":
		return 0x0300, true
	}
	return 0, false
}

// isObsolete reports SSL, TLS 1.0 and 1.1 and DTLS 1.0, which RFC 8996
// deprecates; unnamed versions below TLS 1.2 count as obsolete too.
// DTLS numbers count down from 0xfeff (1.0) to 0xfefd (1.2).
func isObsolete(v uint16, dtls bool) bool {
	if dtls {
		return v == versionDTLS10
	}
	return v < versionTLS12
}

// isWeakCipher reports the cipher suites that RFC 9325 (BCP 195) section
// 4.1 says must or should not be negotiated: NULL, anonymous, export,
// RC4, DES and 3DES encryption, and static RSA key transport, which gives
// no forward secrecy.
// NOTE: nDPI 4.x does not report RC4 suites as weak (it rates them
// insecure but raises no risk); flowlens follows RFC 7465, which forbids
// RC4, so its results differ from nDPI's there.
func isWeakCipher(suite string) bool {
	if strings.HasPrefix(suite, "TLS_RSA_") || strings.HasPrefix(suite, "SSL_RSA_") {
		return true
	}
	for _, bad := range []string{"_NULL_", "_anon_", "EXPORT", "_RC4_", "_DES_", "_DES40_", "3DES", "_WITH_NULL"} {
		if strings.Contains(suite, bad) {
			return true
		}
	}
	return strings.HasSuffix(suite, "_NULL") || strings.HasSuffix(suite, "_MD5")
}

// isNumericHost reports a host name that is an IP address literal, with or
// without a port or IPv6 brackets.
func isNumericHost(host string) bool {
	if host == "" {
		return false
	}
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return true
	}
	if ap, err := netip.ParseAddrPort(host); err == nil && ap.IsValid() {
		return true
	}
	return false
}

// judgeCert judges the server's certificate at time at.
func (e *Evaluator) judgeCert(r *record.Flow, at time.Time, add addFunc) {
	if r.TLS == nil || r.TLS.Cert == nil {
		return
	}
	c := r.TLS.Cert
	e.judgeValidity(c, at, add)
	if c.Subject != "" && c.Subject == c.Issuer && !e.rules.TrustedIssuer(c.Issuer) {
		add("tls_selfsigned_certificate", "certificate issued by its own subject "+c.Subject)
	}
	if sni := r.TLS.SNI; sni != "" && len(c.SAN) > 0 && !certCovers(c.SAN, sni) {
		add("tls_certificate_mismatch", fmt.Sprintf("certificate names %s do not cover SNI %s",
			strings.Join(c.SAN, ", "), sni))
	}
	if reason, ok := e.rules.MaliciousCertSHA1(c.SHA1); ok && c.SHA1 != "" {
		add("malicious_sha1_certificate", "certificate SHA-1 "+c.SHA1+" is on the blocklist: "+reason)
	}
}

func (e *Evaluator) judgeValidity(c *record.Cert, at time.Time, add addFunc) {
	if c.NotBefore.IsZero() || c.NotAfter.IsZero() || at.IsZero() {
		return
	}
	switch {
	case at.Before(c.NotBefore):
		add("tls_certificate_expired", "certificate not valid until "+days(c.NotBefore.Sub(at))+" after this connection")
	case at.After(c.NotAfter):
		add("tls_certificate_expired", "certificate expired "+days(at.Sub(c.NotAfter))+" before this connection")
	case c.NotAfter.Sub(at) <= time.Duration(e.cfg.CertExpiryWarning):
		add("tls_certificate_about_to_expire", "certificate expires "+days(c.NotAfter.Sub(at))+" after this connection")
	}
	// The CA/Browser Forum's 398-day limit binds certificates issued from
	// 1 September 2020 on; older ones were allowed 825 days or more.
	if c.NotBefore.Before(validityLimitStart) {
		return
	}
	if span := c.NotAfter.Sub(c.NotBefore); span > time.Duration(e.cfg.CertMaxValidity) {
		add("tls_cert_validity_too_long", "certificate valid for "+days(span))
	}
}

var validityLimitStart = time.Date(2020, time.September, 1, 0, 0, 0, 0, time.UTC)

// days writes a duration in whole days, or hours when under two days.
func days(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// certCovers reports whether one of the certificate's subjectAltName
// entries matches host, following RFC 9525 section 6.3 (which replaced RFC
// 6125 and keeps its wildcard rule): names compare case-insensitively, and
// a "*" is accepted only as the whole left-most label, standing for
// exactly one label. An IP address host matches only an equal IP entry.
// A certificate without subjectAltName is not judged: RFC 9525 no longer
// matches the subject's CN, and nDPI does not report such certificates.
func certCovers(san []string, host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	hostIP, ipErr := netip.ParseAddr(host)
	for _, name := range san {
		name = strings.TrimSuffix(strings.ToLower(name), ".")
		if ipErr == nil {
			if a, err := netip.ParseAddr(name); err == nil && a == hostIP {
				return true
			}
			continue
		}
		if matchDNSName(name, host) {
			return true
		}
	}
	return false
}

func matchDNSName(pattern, host string) bool {
	if pattern == host {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok || !strings.Contains(rest, ".") {
		return false
	}
	label, parent, ok := strings.Cut(host, ".")
	return ok && label != "" && parent == rest
}
