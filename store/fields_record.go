package store

import (
	"time"

	"github.com/flowlens/flowlens/record"
)

// The accessors below map each flow record field to a column. Setters are
// called only with present (non-zero) values, so a nested object such as
// tls is created only when one of its fields has a value.

func topFields() []*field {
	return []*field{
		numField("schema", 8, func(f *record.Flow) uint64 { return uint64(f.Schema) }, func(f *record.Flow, v uint64) { f.Schema = int(v) }),
		strField("id", func(f *record.Flow) string { return f.ID }, func(f *record.Flow, v string) { f.ID = v }),
		timeField("first_seen", func(f *record.Flow) time.Time { return f.FirstSeen }, func(f *record.Flow, v time.Time) { f.FirstSeen = v }),
		timeField("last_seen", func(f *record.Flow) time.Time { return f.LastSeen }, func(f *record.Flow, v time.Time) { f.LastSeen = v }),
		numField("vlan", 16, func(f *record.Flow) uint64 { return uint64(f.VLAN) }, func(f *record.Flow, v uint64) { f.VLAN = uint16(v) }),
		numField("ip_version", 8, func(f *record.Flow) uint64 { return uint64(f.IPVersion) }, func(f *record.Flow, v uint64) { f.IPVersion = int(v) }),
		strField("l4", func(f *record.Flow) string { return f.L4 }, func(f *record.Flow, v string) { f.L4 = v }),
		ipField("client_ip", func(f *record.Flow) string { return f.ClientIP }, func(f *record.Flow, v string) { f.ClientIP = v }),
		numField("client_port", 16, func(f *record.Flow) uint64 { return uint64(f.ClientPort) }, func(f *record.Flow, v uint64) { f.ClientPort = uint16(v) }),
		ipField("server_ip", func(f *record.Flow) string { return f.ServerIP }, func(f *record.Flow, v string) { f.ServerIP = v }),
		numField("server_port", 16, func(f *record.Flow) uint64 { return uint64(f.ServerPort) }, func(f *record.Flow, v uint64) { f.ServerPort = uint16(v) }),
		numField("c2s_packets", 64, func(f *record.Flow) uint64 { return f.C2SPackets }, func(f *record.Flow, v uint64) { f.C2SPackets = v }),
		numField("c2s_bytes", 64, func(f *record.Flow) uint64 { return f.C2SBytes }, func(f *record.Flow, v uint64) { f.C2SBytes = v }),
		numField("s2c_packets", 64, func(f *record.Flow) uint64 { return f.S2CPackets }, func(f *record.Flow, v uint64) { f.S2CPackets = v }),
		numField("s2c_bytes", 64, func(f *record.Flow) uint64 { return f.S2CBytes }, func(f *record.Flow, v uint64) { f.S2CBytes = v }),
		strField("app", func(f *record.Flow) string { return f.App }, func(f *record.Flow, v string) { f.App = v }),
		strField("master_protocol", func(f *record.Flow) string { return f.MasterProtocol }, func(f *record.Flow, v string) { f.MasterProtocol = v }),
		strField("app_protocol", func(f *record.Flow) string { return f.AppProtocol }, func(f *record.Flow, v string) { f.AppProtocol = v }),
		strField("category", func(f *record.Flow) string { return f.Category }, func(f *record.Flow, v string) { f.Category = v }),
		strField("breed", func(f *record.Flow) string { return f.Breed }, func(f *record.Flow, v string) { f.Breed = v }),
		strField("confidence", func(f *record.Flow) string { return f.Confidence }, func(f *record.Flow, v string) { f.Confidence = v }),
		strField("info", func(f *record.Flow) string { return f.Info }, func(f *record.Flow, v string) { f.Info = v }),
		listField("risks", func(f *record.Flow) []string { return f.Risks }, func(f *record.Flow, v []string) { f.Risks = v }),
		numField("risk_score", 32, func(f *record.Flow) uint64 { return uint64(f.RiskScore) }, func(f *record.Flow, v uint64) { f.RiskScore = int(v) }),
	}
}

func tlsOf(f *record.Flow) *record.TLS {
	if f.TLS == nil {
		f.TLS = &record.TLS{}
	}
	return f.TLS
}

func certOf(f *record.Flow) *record.Cert {
	t := tlsOf(f)
	if t.Cert == nil {
		t.Cert = &record.Cert{}
	}
	return t.Cert
}

func tlsStr(name string, get func(*record.TLS) string, set func(*record.TLS, string)) *field {
	return strField(name, func(f *record.Flow) string {
		if f.TLS == nil {
			return ""
		}
		return get(f.TLS)
	}, func(f *record.Flow, v string) { set(tlsOf(f), v) })
}

func certStr(name string, get func(*record.Cert) string, set func(*record.Cert, string)) *field {
	return strField(name, func(f *record.Flow) string {
		if f.TLS == nil || f.TLS.Cert == nil {
			return ""
		}
		return get(f.TLS.Cert)
	}, func(f *record.Flow, v string) { set(certOf(f), v) })
}

func certTime(name string, get func(*record.Cert) time.Time, set func(*record.Cert, time.Time)) *field {
	return timeField(name, func(f *record.Flow) time.Time {
		if f.TLS == nil || f.TLS.Cert == nil {
			return time.Time{}
		}
		return get(f.TLS.Cert)
	}, func(f *record.Flow, v time.Time) { set(certOf(f), v) })
}

func tlsFields() []*field {
	return []*field{
		tlsStr("tls.version", func(t *record.TLS) string { return t.Version }, func(t *record.TLS, v string) { t.Version = v }),
		listField("tls.client_versions", func(f *record.Flow) []string {
			if f.TLS == nil {
				return nil
			}
			return f.TLS.ClientVersions
		}, func(f *record.Flow, v []string) { tlsOf(f).ClientVersions = v }),
		tlsStr("tls.sni", func(t *record.TLS) string { return t.SNI }, func(t *record.TLS, v string) { t.SNI = v }),
		listField("tls.alpn", func(f *record.Flow) []string {
			if f.TLS == nil {
				return nil
			}
			return f.TLS.ALPN
		}, func(f *record.Flow, v []string) { tlsOf(f).ALPN = v }),
		tlsStr("tls.negotiated_alpn", func(t *record.TLS) string { return t.NegotiatedALPN }, func(t *record.TLS, v string) { t.NegotiatedALPN = v }),
		tlsStr("tls.cipher", func(t *record.TLS) string { return t.Cipher }, func(t *record.TLS, v string) { t.Cipher = v }),
		tlsStr("tls.ja3", func(t *record.TLS) string { return t.JA3 }, func(t *record.TLS, v string) { t.JA3 = v }),
		tlsStr("tls.ja3s", func(t *record.TLS) string { return t.JA3S }, func(t *record.TLS, v string) { t.JA3S = v }),
		tlsStr("tls.ja4", func(t *record.TLS) string { return t.JA4 }, func(t *record.TLS, v string) { t.JA4 = v }),
		tlsStr("tls.ja4s", func(t *record.TLS) string { return t.JA4S }, func(t *record.TLS, v string) { t.JA4S = v }),
		certStr("tls.cert.subject", func(c *record.Cert) string { return c.Subject }, func(c *record.Cert, v string) { c.Subject = v }),
		certStr("tls.cert.issuer", func(c *record.Cert) string { return c.Issuer }, func(c *record.Cert, v string) { c.Issuer = v }),
		certTime("tls.cert.not_before", func(c *record.Cert) time.Time { return c.NotBefore }, func(c *record.Cert, v time.Time) { c.NotBefore = v }),
		certTime("tls.cert.not_after", func(c *record.Cert) time.Time { return c.NotAfter }, func(c *record.Cert, v time.Time) { c.NotAfter = v }),
		certStr("tls.cert.sha1", func(c *record.Cert) string { return c.SHA1 }, func(c *record.Cert, v string) { c.SHA1 = v }),
		listField("tls.cert.san", func(f *record.Flow) []string {
			if f.TLS == nil || f.TLS.Cert == nil {
				return nil
			}
			return f.TLS.Cert.SAN
		}, func(f *record.Flow, v []string) { certOf(f).SAN = v }),
		tlsStr("tls.quic_version", func(t *record.TLS) string { return t.QUICVersion }, func(t *record.TLS, v string) { t.QUICVersion = v }),
		tlsStr("tls.user_agent", func(t *record.TLS) string { return t.UserAgent }, func(t *record.TLS, v string) { t.UserAgent = v }),
	}
}

func sshStr(name string, get func(*record.SSH) string, set func(*record.SSH, string)) *field {
	return strField(name, func(f *record.Flow) string {
		if f.SSH == nil {
			return ""
		}
		return get(f.SSH)
	}, func(f *record.Flow, v string) {
		if f.SSH == nil {
			f.SSH = &record.SSH{}
		}
		set(f.SSH, v)
	})
}

func sshFields() []*field {
	return []*field{
		sshStr("ssh.client_banner", func(s *record.SSH) string { return s.ClientBanner }, func(s *record.SSH, v string) { s.ClientBanner = v }),
		sshStr("ssh.server_banner", func(s *record.SSH) string { return s.ServerBanner }, func(s *record.SSH, v string) { s.ServerBanner = v }),
		sshStr("ssh.hassh", func(s *record.SSH) string { return s.HASSH }, func(s *record.SSH, v string) { s.HASSH = v }),
		sshStr("ssh.hassh_server", func(s *record.SSH) string { return s.HASSHServer }, func(s *record.SSH, v string) { s.HASSHServer = v }),
	}
}

func dnsOf(f *record.Flow) *record.DNS {
	if f.DNS == nil {
		f.DNS = &record.DNS{}
	}
	return f.DNS
}

func dnsStr(name string, get func(*record.DNS) string, set func(*record.DNS, string)) *field {
	return strField(name, func(f *record.Flow) string {
		if f.DNS == nil {
			return ""
		}
		return get(f.DNS)
	}, func(f *record.Flow, v string) { set(dnsOf(f), v) })
}

func dnsFields() []*field {
	return []*field{
		dnsStr("dns.query", func(d *record.DNS) string { return d.Query }, func(d *record.DNS, v string) { d.Query = v }),
		dnsStr("dns.qtype", func(d *record.DNS) string { return d.QType }, func(d *record.DNS, v string) { d.QType = v }),
		dnsStr("dns.rcode", func(d *record.DNS) string { return d.RCode }, func(d *record.DNS, v string) { d.RCode = v }),
		listField("dns.answers", func(f *record.Flow) []string {
			if f.DNS == nil {
				return nil
			}
			return f.DNS.Answers
		}, func(f *record.Flow, v []string) { dnsOf(f).Answers = v }),
	}
}

func httpOf(f *record.Flow) *record.HTTP {
	if f.HTTP == nil {
		f.HTTP = &record.HTTP{}
	}
	return f.HTTP
}

func httpStr(name string, get func(*record.HTTP) string, set func(*record.HTTP, string)) *field {
	return strField(name, func(f *record.Flow) string {
		if f.HTTP == nil {
			return ""
		}
		return get(f.HTTP)
	}, func(f *record.Flow, v string) { set(httpOf(f), v) })
}

func httpNum(name string, bits int, get func(*record.HTTP) int, set func(*record.HTTP, int)) *field {
	return numField(name, bits, func(f *record.Flow) uint64 {
		if f.HTTP == nil {
			return 0
		}
		return uint64(get(f.HTTP))
	}, func(f *record.Flow, v uint64) { set(httpOf(f), int(v)) })
}

func httpFields() []*field {
	return []*field{
		httpStr("http.method", func(h *record.HTTP) string { return h.Method }, func(h *record.HTTP, v string) { h.Method = v }),
		httpStr("http.host", func(h *record.HTTP) string { return h.Host }, func(h *record.HTTP, v string) { h.Host = v }),
		httpStr("http.url", func(h *record.HTTP) string { return h.URL }, func(h *record.HTTP, v string) { h.URL = v }),
		httpStr("http.user_agent", func(h *record.HTTP) string { return h.UserAgent }, func(h *record.HTTP, v string) { h.UserAgent = v }),
		httpNum("http.status", 16, func(h *record.HTTP) int { return h.Status }, func(h *record.HTTP, v int) { h.Status = v }),
		httpStr("http.content_type", func(h *record.HTTP) string { return h.ContentType }, func(h *record.HTTP, v string) { h.ContentType = v }),
		httpStr("http.server", func(h *record.HTTP) string { return h.Server }, func(h *record.HTTP, v string) { h.Server = v }),
		httpNum("http.requests", 32, func(h *record.HTTP) int { return h.Requests }, func(h *record.HTTP, v int) { h.Requests = v }),
	}
}

func dhcpStr(name string, get func(*record.DHCP) string, set func(*record.DHCP, string)) *field {
	return strField(name, func(f *record.Flow) string {
		if f.DHCP == nil {
			return ""
		}
		return get(f.DHCP)
	}, func(f *record.Flow, v string) {
		if f.DHCP == nil {
			f.DHCP = &record.DHCP{}
		}
		set(f.DHCP, v)
	})
}

func dhcpFields() []*field {
	return []*field{
		dhcpStr("dhcp.hostname", func(d *record.DHCP) string { return d.Hostname }, func(d *record.DHCP, v string) { d.Hostname = v }),
		dhcpStr("dhcp.fingerprint", func(d *record.DHCP) string { return d.Fingerprint }, func(d *record.DHCP, v string) { d.Fingerprint = v }),
		dhcpStr("dhcp.class_id", func(d *record.DHCP) string { return d.ClassID }, func(d *record.DHCP, v string) { d.ClassID = v }),
	}
}
