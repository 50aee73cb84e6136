package dpi

import (
	"encoding/binary"
	"fmt"

	"github.com/flowlens/flowlens/record"
)

// TODO: this Client Hello parser reads only server_name, ALPN and
// supported_versions, so QUIC flows get no JA3 or JA4 until the full TLS
// parser takes this file's place.

// TLS extension types read here (RFC 8446 section 4.2, RFC 7301).
const (
	helloExtServerName        = 0
	helloExtALPN              = 16
	helloExtSupportedVersions = 43
)

// parseClientHello fills t from the body of a TLS Client Hello, the bytes
// after the 4-byte handshake header (RFC 8446, section 4.1.2). kind selects
// the JA4 transport prefix ('t' for TCP, 'q' for QUIC); this parser
// computes no fingerprint. It returns false if the body is malformed.
func parseClientHello(body []byte, t *record.TLS, kind byte) bool {
	_ = kind
	r := helloReader{b: body}
	r.skip(2 + 32) // legacy_version, random
	r.vector(1)    // legacy_session_id
	r.vector(2)    // cipher_suites
	r.vector(1)    // legacy_compression_methods
	if r.bad {
		return false
	}
	if len(r.b) == 0 {
		return true // no extensions
	}
	exts := helloReader{b: r.vector(2)}
	for len(exts.b) > 0 && !exts.bad && !r.bad {
		typ := exts.u16()
		data := exts.vector(2)
		if exts.bad || !parseHelloExtension(typ, data, t) {
			return false
		}
	}
	return !exts.bad && !r.bad
}

// parseHelloExtension reads one extension if its type is one of the above.
func parseHelloExtension(typ uint16, data []byte, t *record.TLS) bool {
	r := helloReader{b: data}
	switch typ {
	case helloExtServerName:
		list := helloReader{b: r.vector(2)}
		for len(list.b) > 0 && !list.bad {
			nameType := list.u8()
			name := list.vector(2)
			if nameType == 0 && !list.bad && t.SNI == "" {
				t.SNI = string(name)
			}
		}
		return !list.bad && !r.bad
	case helloExtALPN:
		list := helloReader{b: r.vector(2)}
		for len(list.b) > 0 && !list.bad {
			if p := list.vector(1); !list.bad {
				t.ALPN = append(t.ALPN, string(p))
			}
		}
		return !list.bad && !r.bad
	case helloExtSupportedVersions:
		list := helloReader{b: r.vector(1)}
		for len(list.b) > 0 && !list.bad {
			if v := list.u16(); !list.bad {
				t.ClientVersions = append(t.ClientVersions, helloVersionName(v))
			}
		}
		return !list.bad && !r.bad
	}
	return true
}

// helloVersionName names a TLS version as the flow record does.
func helloVersionName(v uint16) string {
	switch {
	case v&0x0f0f == 0x0a0a && v>>8 == v&0xff:
		return "GREASE"
	case v>>8 == 0x7f:
		return "TLSv1.3 (draft)"
	}
	switch v {
	case 0x0300:
		return "SSLv3"
	case 0x0301:
		return "TLSv1"
	case 0x0302:
		return "TLSv1.1"
	case 0x0303:
		return "TLSv1.2"
	case 0x0304:
		return "TLSv1.3"
	case 0xfeff:
		return "DTLSv1.0"
	case 0xfefd:
		return "DTLSv1.2"
	case 0xfefc:
		return "DTLSv1.3"
	}
	return fmt.Sprintf("TLS (%04X)", v)
}

// helloReader is a cursor that sets bad instead of reading past its end.
type helloReader struct {
	b   []byte
	bad bool
}

func (r *helloReader) take(n int) []byte {
	if r.bad || len(r.b) < n {
		r.bad = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *helloReader) skip(n int) { r.take(n) }

func (r *helloReader) u8() byte {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *helloReader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

// vector reads a byte string preceded by a lenBytes-byte length.
func (r *helloReader) vector(lenBytes int) []byte {
	var n int
	for _, x := range r.take(lenBytes) {
		n = n<<8 | int(x)
	}
	return r.take(n)
}
