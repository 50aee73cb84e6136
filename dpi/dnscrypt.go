package dpi

import "bytes"

// DNSCrypt version 2 (the protocol specification at dnscrypt.info):
// a client first fetches the resolver's certificates with a plain DNS TXT
// query for "2.dnscrypt-cert.<provider name>", then sends encrypted
// queries that the resolver answers with packets starting with the fixed
// resolver magic.
const (
	dnscryptDNSHeaderLen = 12
)

var (
	// dnscryptCertPrefix is the wire form of the first two labels of a
	// certificate query name, "2.dnscrypt-cert".
	dnscryptCertPrefix = []byte("\x012\x0ddnscrypt-cert")
	// dnscryptResolverMagic starts every encrypted resolver response.
	dnscryptResolverMagic = []byte{0x72, 0x36, 0x66, 0x6e, 0x76, 0x57, 0x6a, 0x38}
)

// DNScrypt recognises DNSCrypt: the certificate query of a client and its
// answer, or an encrypted response carrying the resolver magic. Over TCP, each packet
// has a two-byte length prefix (RFC 1035 section 4.2.2 framing).
type DNScrypt struct{}

// Name returns nDPI's name for the protocol.
func (DNScrypt) Name() string { return "DNScrypt" }

// Inspect claims the flow on a certificate query or its answer, or on a
// response with the resolver magic.
func (DNScrypt) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol == 6 {
		if len(b) < 2 {
			return NotMine
		}
		b = b[2:]
	}
	// Both directions are checked because captures may show the DNS
	// response first.
	if dnscryptCertQuestion(b) || bytes.HasPrefix(b, dnscryptResolverMagic) {
		f.SetResult("DNScrypt", "")
		return Done
	}
	// The server's first response decides, because a client's encrypted
	// query looks like random bytes.
	if p.Dir == ServerToClient || f.Packets[ClientToServer] > 2 {
		return NotMine
	}
	return NeedMore
}

// dnscryptCertQuestion reports whether b is a DNS message whose single
// question asks for a name under "2.dnscrypt-cert".
func dnscryptCertQuestion(b []byte) bool {
	if len(b) < dnscryptDNSHeaderLen+len(dnscryptCertPrefix) {
		return false
	}
	if b[4] != 0 || b[5] != 1 {
		return false
	}
	name := b[dnscryptDNSHeaderLen : dnscryptDNSHeaderLen+len(dnscryptCertPrefix)]
	return bytes.EqualFold(name, dnscryptCertPrefix)
}
