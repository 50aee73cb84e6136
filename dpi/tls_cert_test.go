package dpi

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/record"
)

// chainCertificates returns every DER certificate of the Certificate
// messages in the TLS streams under testdata/tls.
func chainCertificates(t testing.TB) [][]byte {
	streams, _ := filepath.Glob("testdata/tls/*.bin")
	var certs [][]byte
	for _, path := range streams {
		for _, msg := range handshakeMessages(readTestdata(t, path)) {
			if msg[0] != handshakeCertificate {
				continue
			}
			r := tlsReader(msg[4:])
			var listLen int
			if !r.u24(&listLen) {
				continue
			}
			for !r.empty() {
				var der tlsReader
				if !r.vec24(&der) {
					break
				}
				certs = append(certs, der)
			}
		}
	}
	return certs
}

// x509View returns the record's view of der as crypto/x509 reads it, or
// false when x509 rejects der. x509 lists DNS names and addresses apart,
// so the SANs come back as two lists: DNS names lowercased, as the record
// keeps them, and addresses as net/netip prints them. version is the
// certificate's version, 3 for v3.
func x509View(der []byte) (c record.Cert, dns, addrs []string, version int, ok bool) {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return c, nil, nil, 0, false
	}
	c.Subject = formatName(x.RawSubject)
	c.Issuer = formatName(x.RawIssuer)
	c.NotBefore, c.NotAfter = x.NotBefore.UTC(), x.NotAfter.UTC()
	for _, name := range x.DNSNames {
		dns = append(dns, strings.ToLower(name))
	}
	for _, ip := range x.IPAddresses {
		if addr, ok := netip.AddrFromSlice(ip); ok {
			addrs = append(addrs, addr.String())
		}
	}
	return c, dns, addrs, x.Version, true
}

// checkAgainstX509 fails t when the DER walk reads der differently from
// crypto/x509. It returns false when x509 rejects der.
func checkAgainstX509(t *testing.T, der []byte) bool {
	want, wantDNS, wantAddrs, version, ok := x509View(der)
	if !ok {
		return false
	}
	var got record.Cert
	if !parseCertificateDER(der, &got) {
		t.Fatalf("walk rejects a certificate that x509 accepts")
	}
	if got.Subject != want.Subject || got.Issuer != want.Issuer {
		t.Errorf("names: got %q / %q, x509 %q / %q", got.Subject, got.Issuer, want.Subject, want.Issuer)
	}
	if !got.NotBefore.Equal(want.NotBefore) || !got.NotAfter.Equal(want.NotAfter) {
		t.Errorf("validity: got %v to %v, x509 %v to %v", got.NotBefore, got.NotAfter, want.NotBefore, want.NotAfter)
	}
	var gotDNS, gotAddrs []string
	for _, name := range got.SAN {
		if _, err := netip.ParseAddr(name); err == nil {
			gotAddrs = append(gotAddrs, name)
		} else {
			gotDNS = append(gotDNS, name)
		}
	}
	// x509 skips the extensions of a v1 or v2 certificate, which RFC 5280
	// allows in v3 only. The walk reads a SAN extension in any version,
	// as nDPI's certificate scan does, so SANs are compared for v3 alone.
	if version == 3 && (!slices.Equal(gotDNS, wantDNS) || !slices.Equal(gotAddrs, wantAddrs)) {
		t.Errorf("SAN: got %q, x509 %q and %q", got.SAN, wantDNS, wantAddrs)
	}
	return true
}

// generatedCertificates returns certificates made for the walk's edge
// cases: IP and DNS SANs mixed, a critical SAN extension, validity past
// 2049 (GeneralizedTime), many name attributes, and no SANs at all.
func generatedCertificates(t *testing.T) [][]byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC)
	templates := []*x509.Certificate{
		{
			Subject:     pkix.Name{CommonName: "example.test", Organization: []string{"Example"}, Country: []string{"DE"}},
			NotBefore:   start,
			NotAfter:    start.AddDate(1, 0, 0),
			DNSNames:    []string{"Example.TEST", "*.example.test"},
			IPAddresses: []net.IP{net.ParseIP("192.0.2.7"), net.ParseIP("2001:db8::1")},
		},
		{
			Subject: pkix.Name{
				CommonName: "long lived", Organization: []string{"A", "B"}, OrganizationalUnit: []string{"Unit"},
				Locality: []string{"Town"}, Province: []string{"State"}, SerialNumber: "1234",
			},
			NotBefore: start,
			NotAfter:  time.Date(2070, 1, 1, 0, 0, 0, 0, time.UTC),
		},
		{
			Subject:   pkix.Name{CommonName: "critical san"},
			NotBefore: start,
			NotAfter:  start.AddDate(0, 1, 0),
			ExtraExtensions: []pkix.Extension{{
				Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Critical: true,
				// GeneralNames with one dNSName "crit.example.test"
				Value: append([]byte{0x30, 19, 0x82, 17}, "crit.example.test"...),
			}},
		},
	}
	var certs [][]byte
	for i, tmpl := range templates {
		tmpl.SerialNumber = big.NewInt(int64(i + 1))
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, der)
	}
	return certs
}

func TestCertificateWalkMatchesX509(t *testing.T) {
	certs := append(chainCertificates(t), generatedCertificates(t)...)
	checked := 0
	for _, der := range certs {
		if checkAgainstX509(t, der) {
			checked++
		}
	}
	if checked != len(certs) {
		t.Errorf("x509 rejected %d of %d certificates", len(certs)-checked, len(certs))
	}
}

// TestCertificateWalkReadsV2Extensions checks that the walk reads the SANs
// of a certificate whose version field is v2, as nDPI's certificate scan does,
// though crypto/x509 skips the extensions of such a certificate.
func TestCertificateWalkReadsV2Extensions(t *testing.T) {
	der := slices.Clone(generatedCertificates(t)[0])
	// Certificate and TBSCertificate headers of four bytes each, then the
	// explicit [0] version: a0 03 02 01 02 for v3.
	version := []byte{0xa0, 0x03, 0x02, 0x01, 0x02}
	if !bytes.Equal(der[8:13], version) {
		t.Fatalf("unexpected certificate start % x", der[:13])
	}
	der[12] = 0x01

	_, dns, _, v, ok := x509View(der)
	if !ok || v != 2 || len(dns) != 0 {
		t.Fatalf("x509 reads the patched certificate as version %d with SANs %q (ok %v), want v2 without SANs", v, dns, ok)
	}
	var got record.Cert
	if !parseCertificateDER(der, &got) {
		t.Fatal("walk rejects the v2 certificate")
	}
	if !slices.Contains(got.SAN, "example.test") || !slices.Contains(got.SAN, "192.0.2.7") {
		t.Errorf("SAN of the v2 certificate = %q, want its DNS names and addresses", got.SAN)
	}
}
