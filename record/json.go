package record

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the flow as one JSON object (RFC 8259) to b and
// returns the extended slice. The bytes equal what encoding/json's
// reflection writes for the struct tags, with first_seen and last_seen
// last: the same field order, omitempty rules, HTML escaping and
// replacement of invalid UTF-8. It uses no reflection and does not allocate
// when b has room.
func (f *Flow) AppendJSON(b []byte) []byte {
	b = append(b, `{"schema":`...)
	b = strconv.AppendInt(b, int64(f.Schema), 10)
	b = appendStringField(b, "id", f.ID, true)
	b = appendUintField(b, "vlan", uint64(f.VLAN), true)
	b = append(b, `,"ip_version":`...)
	b = strconv.AppendInt(b, int64(f.IPVersion), 10)
	b = appendStringField(b, "l4", f.L4, false)
	b = appendStringField(b, "client_ip", f.ClientIP, false)
	b = appendUintField(b, "client_port", uint64(f.ClientPort), true)
	b = appendStringField(b, "server_ip", f.ServerIP, false)
	b = appendUintField(b, "server_port", uint64(f.ServerPort), true)
	b = appendUintField(b, "c2s_packets", f.C2SPackets, false)
	b = appendUintField(b, "c2s_bytes", f.C2SBytes, false)
	b = appendUintField(b, "s2c_packets", f.S2CPackets, false)
	b = appendUintField(b, "s2c_bytes", f.S2CBytes, false)
	b = f.appendApp(b)
	b = f.appendMetadata(b)
	b = appendTimeField(b, "first_seen", f.FirstSeen, false)
	b = appendTimeField(b, "last_seen", f.LastSeen, false)
	return append(b, '}')
}

func (f *Flow) appendApp(b []byte) []byte {
	b = appendStringField(b, "app", f.App, false)
	b = appendStringField(b, "master_protocol", f.MasterProtocol, false)
	b = appendStringField(b, "app_protocol", f.AppProtocol, true)
	b = appendStringField(b, "category", f.Category, true)
	b = appendStringField(b, "breed", f.Breed, true)
	b = appendStringField(b, "confidence", f.Confidence, true)
	b = appendStringField(b, "info", f.Info, true)
	b = append(b, `,"risks":`...)
	if f.Risks == nil {
		b = append(b, "null"...)
	} else {
		b = appendStringList(b, f.Risks)
	}
	return appendIntField(b, "risk_score", int64(f.RiskScore), true)
}

func (f *Flow) appendMetadata(b []byte) []byte {
	if f.TLS != nil {
		b = append(b, `,"tls":`...)
		b = f.TLS.appendJSON(b)
	}
	if f.SSH != nil {
		b = append(b, `,"ssh":`...)
		b = f.SSH.appendJSON(b)
	}
	if f.DNS != nil {
		b = append(b, `,"dns":`...)
		b = f.DNS.appendJSON(b)
	}
	if f.HTTP != nil {
		b = append(b, `,"http":`...)
		b = f.HTTP.appendJSON(b)
	}
	if f.DHCP != nil {
		b = append(b, `,"dhcp":`...)
		b = f.DHCP.appendJSON(b)
	}
	return b
}

func (t *TLS) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendStringField(b, "version", t.Version, true)
	b = appendListField(b, "client_versions", t.ClientVersions)
	b = appendStringField(b, "sni", t.SNI, true)
	b = appendListField(b, "alpn", t.ALPN)
	b = appendStringField(b, "negotiated_alpn", t.NegotiatedALPN, true)
	b = appendStringField(b, "cipher", t.Cipher, true)
	b = appendStringField(b, "ja3", t.JA3, true)
	b = appendStringField(b, "ja3s", t.JA3S, true)
	b = appendStringField(b, "ja4", t.JA4, true)
	b = appendStringField(b, "ja4s", t.JA4S, true)
	if t.Cert != nil {
		b = append(b, `,"cert":`...)
		b = t.Cert.appendJSON(b)
	}
	b = appendStringField(b, "quic_version", t.QUICVersion, true)
	b = appendStringField(b, "user_agent", t.UserAgent, true)
	return closeObject(b, start)
}

func (c *Cert) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendStringField(b, "subject", c.Subject, true)
	b = appendStringField(b, "issuer", c.Issuer, true)
	b = appendStringField(b, "sha1", c.SHA1, true)
	b = appendListField(b, "san", c.SAN)
	b = appendTimeField(b, "not_before", c.NotBefore, true)
	b = appendTimeField(b, "not_after", c.NotAfter, true)
	return closeObject(b, start)
}

func (s *SSH) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendStringField(b, "client_banner", s.ClientBanner, true)
	b = appendStringField(b, "server_banner", s.ServerBanner, true)
	b = appendStringField(b, "hassh", s.HASSH, true)
	b = appendStringField(b, "hassh_server", s.HASSHServer, true)
	return closeObject(b, start)
}

func (d *DNS) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendStringField(b, "query", d.Query, true)
	b = appendStringField(b, "qtype", d.QType, true)
	b = appendStringField(b, "rcode", d.RCode, true)
	b = appendListField(b, "answers", d.Answers)
	return closeObject(b, start)
}

func (h *HTTP) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendStringField(b, "method", h.Method, true)
	b = appendStringField(b, "host", h.Host, true)
	b = appendStringField(b, "url", h.URL, true)
	b = appendStringField(b, "user_agent", h.UserAgent, true)
	b = appendIntField(b, "status", int64(h.Status), true)
	b = appendStringField(b, "content_type", h.ContentType, true)
	b = appendStringField(b, "server", h.Server, true)
	b = appendIntField(b, "requests", int64(h.Requests), true)
	return closeObject(b, start)
}

func (d *DHCP) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendStringField(b, "hostname", d.Hostname, true)
	b = appendStringField(b, "fingerprint", d.Fingerprint, true)
	b = appendStringField(b, "class_id", d.ClassID, true)
	return closeObject(b, start)
}

// closeObject ends the object opened at b[start]. Every field is written
// with a leading comma, so the comma after the opening brace is dropped.
func closeObject(b []byte, start int) []byte {
	if len(b) > start+1 && b[start+1] == ',' {
		b = append(b[:start+1], b[start+2:]...)
	}
	return append(b, '}')
}

// appendKey appends a comma and the quoted key. Keys are fixed ASCII names
// that need no escaping.
func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStringField(b []byte, key, s string, omitEmpty bool) []byte {
	if omitEmpty && s == "" {
		return b
	}
	return appendString(appendKey(b, key), s)
}

func appendUintField(b []byte, key string, v uint64, omitEmpty bool) []byte {
	if omitEmpty && v == 0 {
		return b
	}
	return strconv.AppendUint(appendKey(b, key), v, 10)
}

func appendIntField(b []byte, key string, v int64, omitEmpty bool) []byte {
	if omitEmpty && v == 0 {
		return b
	}
	return strconv.AppendInt(appendKey(b, key), v, 10)
}

// appendListField appends a list that omitempty leaves out when it is nil
// or empty.
func appendListField(b []byte, key string, l []string) []byte {
	if len(l) == 0 {
		return b
	}
	return appendStringList(appendKey(b, key), l)
}

func appendStringList(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string (RFC 8259, section 7) escaped as
// encoding/json escapes it by default: <, > and & as \u003c, \u003e and
// \u0026, U+2028 and U+2029 as escapes, and invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscapedByte(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = appendEscapedRune(b, r)
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonSafe reports whether an ASCII byte is written as itself.
func jsonSafe(c byte) bool {
	return c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

func appendEscapedByte(b []byte, c byte) []byte {
	const hexDigits = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

func appendEscapedRune(b []byte, r rune) []byte {
	switch r {
	case '\u2028':
		return append(b, `\u2028`...)
	case '\u2029':
		return append(b, `\u2029`...)
	}
	return append(b, `\ufffd`...)
}

// appendTimeField appends t as formatTime writes it, without building the
// string first. A zero time is "" or, with omitEmpty, no field. TimeLayout
// in UTC writes no character that JSON escapes.
func appendTimeField(b []byte, key string, t time.Time, omitEmpty bool) []byte {
	if t.IsZero() {
		return appendStringField(b, key, "", omitEmpty)
	}
	b = append(appendKey(b, key), '"')
	b = appendTime(b, t)
	return append(b, '"')
}

// appendTime appends t in UTC in TimeLayout. It writes years 0 to 9999
// digit by digit, because AppendFormat parses the layout on every call,
// and hands other years to AppendFormat.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeLayout)
	}
	hour, minute, second := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, second, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1000, 6)
	return append(b, 'Z')
}

// appendDigits appends the low width decimal digits of v, zero-padded.
func appendDigits(b []byte, v, width int) []byte {
	b = append(b, "000000"[:width]...)
	for i := len(b) - 1; i >= len(b)-width; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}
