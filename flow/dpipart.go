package flow

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/flowlens/flowlens/record"
)

// The DPI part of a frozen flow holds the record fields that dpi.Flow.Fill
// sets, byte for byte: strings keep bytes that are not UTF-8, which JSON
// would replace, and the TLS fields that JSON leaves out are kept too.
// Strings and lists carry their length as a uvarint, numbers are varints,
// and each metadata block starts with a byte that is 1 when it is present.
// TestDPIPartRoundTrip fails when a record field is added but not here.

// partWriter appends the DPI part.
type partWriter struct{ b []byte }

func (w *partWriter) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *partWriter) list(l []string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(l)))
	for _, s := range l {
		w.str(s)
	}
}

func (w *partWriter) num(v int64) { w.b = binary.AppendVarint(w.b, v) }

func (w *partWriter) flag(on bool) {
	if on {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// present writes whether a block is present and returns it.
func (w *partWriter) present(ok bool) bool {
	w.flag(ok)
	return ok
}

func (w *partWriter) time(t time.Time) {
	w.flag(!t.IsZero())
	if !t.IsZero() {
		w.num(t.Unix())
		w.num(int64(t.Nanosecond()))
	}
}

// appendDPIPart appends to b the fields of r that dpi.Flow.Fill sets.
func appendDPIPart(b []byte, r *record.Flow) []byte {
	w := partWriter{b}
	for _, s := range []string{r.App, r.MasterProtocol, r.AppProtocol, r.Category, r.Breed, r.Confidence, r.Info} {
		w.str(s)
	}
	w.list(r.Risks)
	if w.present(r.TLS != nil) {
		t := r.TLS
		w.str(t.Version)
		w.list(t.ClientVersions)
		w.str(t.SNI)
		w.list(t.ALPN)
		for _, s := range []string{t.NegotiatedALPN, t.Cipher, t.JA3, t.JA3S, t.JA4, t.JA4S, t.QUICVersion, t.UserAgent} {
			w.str(s)
		}
		w.flag(t.EncryptedSNI)
		w.flag(t.WebRTC)
		if w.present(t.Cert != nil) {
			c := t.Cert
			w.str(c.Subject)
			w.str(c.Issuer)
			w.time(c.NotBefore)
			w.time(c.NotAfter)
			w.str(c.SHA1)
			w.list(c.SAN)
		}
	}
	if w.present(r.SSH != nil) {
		for _, s := range []string{r.SSH.ClientBanner, r.SSH.ServerBanner, r.SSH.HASSH, r.SSH.HASSHServer} {
			w.str(s)
		}
	}
	if w.present(r.DNS != nil) {
		for _, s := range []string{r.DNS.Query, r.DNS.QType, r.DNS.RCode} {
			w.str(s)
		}
		w.list(r.DNS.Answers)
	}
	if w.present(r.HTTP != nil) {
		h := r.HTTP
		for _, s := range []string{h.Method, h.Host, h.URL, h.UserAgent} {
			w.str(s)
		}
		w.num(int64(h.Status))
		w.str(h.ContentType)
		w.str(h.Server)
		w.num(int64(h.Requests))
	}
	if w.present(r.DHCP != nil) {
		for _, s := range []string{r.DHCP.Hostname, r.DHCP.Fingerprint, r.DHCP.ClassID} {
			w.str(s)
		}
	}
	return w.b
}

var errBadPart = errors.New("damaged DPI results of a frozen flow")

// partReader reads the DPI part; err is set at the first damage, after
// which every read returns a zero value.
type partReader struct {
	b   []byte
	err error
}

func (r *partReader) fail() {
	r.err, r.b = errBadPart, nil
}

func (r *partReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *partReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// list returns nil for an empty list, as the record leaves such lists.
func (r *partReader) list() []string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	var l []string
	for range n {
		l = append(l, r.str())
	}
	return l
}

func (r *partReader) num() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *partReader) flag() bool {
	if len(r.b) == 0 {
		r.fail()
		return false
	}
	on := r.b[0] == 1
	r.b = r.b[1:]
	return on
}

func (r *partReader) time() time.Time {
	if !r.flag() {
		return time.Time{}
	}
	sec := r.num()
	return time.Unix(sec, r.num()).UTC()
}

// readDPIPart sets the fields of f that appendDPIPart wrote to b.
func readDPIPart(b []byte, f *record.Flow) error {
	r := partReader{b: b}
	f.App, f.MasterProtocol, f.AppProtocol = r.str(), r.str(), r.str()
	f.Category, f.Breed, f.Confidence, f.Info = r.str(), r.str(), r.str(), r.str()
	f.Risks = append([]string{}, r.list()...)
	if r.flag() {
		t := &record.TLS{Version: r.str(), ClientVersions: r.list(), SNI: r.str(), ALPN: r.list()}
		t.NegotiatedALPN, t.Cipher, t.JA3, t.JA3S = r.str(), r.str(), r.str(), r.str()
		t.JA4, t.JA4S, t.QUICVersion, t.UserAgent = r.str(), r.str(), r.str(), r.str()
		t.EncryptedSNI, t.WebRTC = r.flag(), r.flag()
		if r.flag() {
			t.Cert = &record.Cert{Subject: r.str(), Issuer: r.str(), NotBefore: r.time(), NotAfter: r.time()}
			t.Cert.SHA1, t.Cert.SAN = r.str(), r.list()
		}
		f.TLS = t
	}
	if r.flag() {
		f.SSH = &record.SSH{ClientBanner: r.str(), ServerBanner: r.str(), HASSH: r.str(), HASSHServer: r.str()}
	}
	if r.flag() {
		f.DNS = &record.DNS{Query: r.str(), QType: r.str(), RCode: r.str(), Answers: r.list()}
	}
	if r.flag() {
		f.HTTP = &record.HTTP{Method: r.str(), Host: r.str(), URL: r.str(), UserAgent: r.str()}
		f.HTTP.Status = int(r.num())
		f.HTTP.ContentType, f.HTTP.Server = r.str(), r.str()
		f.HTTP.Requests = int(r.num())
	}
	if r.flag() {
		f.DHCP = &record.DHCP{Hostname: r.str(), Fingerprint: r.str(), ClassID: r.str()}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}
