// Package record defines the flow record: the one JSON object per flow that
// the JSON Lines export, the REST API, the store and the corpus scorer share.
//
// docs/flow-record.md describes every field, its type and when it is
// present. A field that is unknown or does not apply is left out of the
// JSON, never written as "" or 0, so every optional field is either
// omitempty or a pointer.
package record

import (
	"encoding/json"
	"time"
)

// SchemaVersion is the version written in every record's schema field.
const SchemaVersion = 1

// Flow is one bidirectional flow as every output shows it.
type Flow struct {
	Schema     int       `json:"schema"`
	ID         string    `json:"id,omitempty"`
	FirstSeen  time.Time `json:"-"`
	LastSeen   time.Time `json:"-"`
	VLAN       uint16    `json:"vlan,omitempty"`
	IPVersion  int       `json:"ip_version"`
	L4         string    `json:"l4"`
	ClientIP   string    `json:"client_ip"`
	ClientPort uint16    `json:"client_port,omitempty"`
	ServerIP   string    `json:"server_ip"`
	ServerPort uint16    `json:"server_port,omitempty"`

	C2SPackets uint64 `json:"c2s_packets"`
	C2SBytes   uint64 `json:"c2s_bytes"`
	S2CPackets uint64 `json:"s2c_packets"`
	S2CBytes   uint64 `json:"s2c_bytes"`

	App            string `json:"app"`
	MasterProtocol string `json:"master_protocol"`
	AppProtocol    string `json:"app_protocol,omitempty"`
	Category       string `json:"category,omitempty"`
	Breed          string `json:"breed,omitempty"`
	Confidence     string `json:"confidence,omitempty"`
	Info           string `json:"info,omitempty"`

	Risks     []string `json:"risks"`
	RiskScore int      `json:"risk_score,omitempty"`

	TLS  *TLS  `json:"tls,omitempty"`
	SSH  *SSH  `json:"ssh,omitempty"`
	DNS  *DNS  `json:"dns,omitempty"`
	HTTP *HTTP `json:"http,omitempty"`
	DHCP *DHCP `json:"dhcp,omitempty"`
}

// TLS holds what a TLS, DTLS or QUIC handshake showed.
type TLS struct {
	Version        string   `json:"version,omitempty"`
	ClientVersions []string `json:"client_versions,omitempty"`
	SNI            string   `json:"sni,omitempty"`
	ALPN           []string `json:"alpn,omitempty"`
	NegotiatedALPN string   `json:"negotiated_alpn,omitempty"`
	Cipher         string   `json:"cipher,omitempty"`
	JA3            string   `json:"ja3,omitempty"`
	JA3S           string   `json:"ja3s,omitempty"`
	JA4            string   `json:"ja4,omitempty"`
	JA4S           string   `json:"ja4s,omitempty"`
	Cert           *Cert    `json:"cert,omitempty"`
	// QUICVersion is the QUIC version name (for example "V-1") when the
	// handshake travelled in QUIC; UserAgent is gQUIC's UAID tag.
	QUICVersion string `json:"quic_version,omitempty"`
	UserAgent   string `json:"user_agent,omitempty"`
	// EncryptedSNI is set when the client hello offered the
	// encrypted_server_name extension of the ESNI drafts. WebRTC is set
	// when a DTLS client hello offered use_srtp (RFC 5764) after STUN in
	// the same flow, which is how WebRTC sets up its media. The risk rules
	// read both; they are not part of the exported record.
	EncryptedSNI bool `json:"-"`
	WebRTC       bool `json:"-"`
}

// Cert is the server's leaf certificate.
type Cert struct {
	Subject   string    `json:"subject,omitempty"`
	Issuer    string    `json:"issuer,omitempty"`
	NotBefore time.Time `json:"-"`
	NotAfter  time.Time `json:"-"`
	SHA1      string    `json:"sha1,omitempty"`
	SAN       []string  `json:"san,omitempty"`
}

// SSH holds the banners and HASSH fingerprints of an SSH handshake.
type SSH struct {
	ClientBanner string `json:"client_banner,omitempty"`
	ServerBanner string `json:"server_banner,omitempty"`
	HASSH        string `json:"hassh,omitempty"`
	HASSHServer  string `json:"hassh_server,omitempty"`
}

// DNS holds the first query of a DNS, mDNS or LLMNR flow and its answer.
type DNS struct {
	Query   string   `json:"query,omitempty"`
	QType   string   `json:"qtype,omitempty"`
	RCode   string   `json:"rcode,omitempty"`
	Answers []string `json:"answers,omitempty"`
}

// HTTP holds the first request of an HTTP/1.x connection and its response.
type HTTP struct {
	Method      string `json:"method,omitempty"`
	Host        string `json:"host,omitempty"`
	URL         string `json:"url,omitempty"`
	UserAgent   string `json:"user_agent,omitempty"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Server      string `json:"server,omitempty"`
	// Requests counts the requests seen on the connection, the first included.
	Requests int `json:"requests,omitempty"`
}

// DHCP holds what a DHCP client said of itself.
type DHCP struct {
	Hostname    string `json:"hostname,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	ClassID     string `json:"class_id,omitempty"`
}

// TimeLayout is RFC 3339 with microseconds, the record's time format.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// MarshalJSON writes the flow with its times in TimeLayout, in UTC, through
// AppendJSON.
func (f *Flow) MarshalJSON() ([]byte, error) {
	return f.AppendJSON(make([]byte, 0, 512)), nil
}

// UnmarshalJSON reads a flow written by MarshalJSON.
func (f *Flow) UnmarshalJSON(b []byte) error {
	type plain Flow
	aux := struct {
		*plain
		FirstSeen string `json:"first_seen"`
		LastSeen  string `json:"last_seen"`
	}{plain: (*plain)(f)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	if f.FirstSeen, err = parseTime(aux.FirstSeen); err != nil {
		return err
	}
	f.LastSeen, err = parseTime(aux.LastSeen)
	return err
}

// MarshalJSON writes the certificate with its validity in TimeLayout.
func (c *Cert) MarshalJSON() ([]byte, error) {
	type plain Cert
	return json.Marshal(struct {
		*plain
		NotBefore string `json:"not_before,omitempty"`
		NotAfter  string `json:"not_after,omitempty"`
	}{(*plain)(c), formatTime(c.NotBefore), formatTime(c.NotAfter)})
}

// UnmarshalJSON reads a certificate written by MarshalJSON.
func (c *Cert) UnmarshalJSON(b []byte) error {
	type plain Cert
	aux := struct {
		*plain
		NotBefore string `json:"not_before"`
		NotAfter  string `json:"not_after"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	if c.NotBefore, err = parseTime(aux.NotBefore); err != nil {
		return err
	}
	c.NotAfter, err = parseTime(aux.NotAfter)
	return err
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
