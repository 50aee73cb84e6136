package risk

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Config sets which risks are judged and their thresholds. It is read from
// a JSON file (see LoadConfig) so that a rule can be turned off or retuned
// without rebuilding; fields left out keep the defaults of DefaultConfig.
type Config struct {
	// Disabled lists risk names (for example "tls_not_carrying_https") that
	// Evaluate neither judges nor keeps from the dissectors.
	Disabled []string `json:"disabled"`

	// CertExpiryWarning is how long before its notAfter a certificate
	// raises tls_certificate_about_to_expire.
	CertExpiryWarning Duration `json:"cert_expiry_warning"`
	// CertMaxValidity is the longest notBefore..notAfter span accepted
	// before tls_cert_validity_too_long.
	CertMaxValidity Duration `json:"cert_max_validity"`

	// UnidirectionalExempt lists protocols that send one way by design
	// (logging and export protocols, media streams), so that one-way
	// flows of theirs raise no unidirectional_traffic.
	UnidirectionalExempt []string `json:"unidirectional_exempt"`
	// NonStandardPortExempt lists protocols never judged by
	// known_protocol_on_non_standard_port, because they use dynamic ports.
	NonStandardPortExempt []string `json:"non_standard_port_exempt"`
	// ExtraPorts adds standard ports to a protocol's defaults, keyed by
	// protocol name, each port written "tcp/10051" or "udp/4500".
	ExtraPorts map[string][]string `json:"extra_ports"`
	// DesktopSharingApps lists remote desktop and file sharing protocols
	// that raise desktop_or_file_sharing_session.
	DesktopSharingApps []string `json:"desktop_sharing_apps"`

	// MinUserAgentLength is the shortest HTTP User-Agent not reported as
	// suspicious; a request without one is always reported.
	MinUserAgentLength int `json:"min_user_agent_length"`
	// MaxDNSNameLength is the longest query name, in octets of its dotted
	// form, before dns_suspicious_traffic. RFC 1035 section 2.3.4 caps
	// names at 255 octets on the wire (253 dotted) and labels at 63.
	MaxDNSNameLength int `json:"max_dns_name_length"`

	// LowGoodput raises low_goodput for flows of at least
	// LowGoodputMinPackets packets whose estimated payload share of the
	// bytes is under LowGoodputRatio. It is off by default because nDPI
	// has no such risk, so enabling it changes records compared with nDPI.
	LowGoodput           bool    `json:"low_goodput"`
	LowGoodputMinPackets uint64  `json:"low_goodput_min_packets"`
	LowGoodputRatio      float64 `json:"low_goodput_ratio"`

	// Blocklists are the fingerprint and address lists to load.
	Blocklists BlocklistConfig `json:"blocklists"`

	// AlertCapacity bounds the alerts kept in memory; the oldest are
	// dropped first.
	AlertCapacity int `json:"alert_capacity"`
}

// BlocklistConfig names the blocklist sources. Each entry is a file path or
// an http(s) URL.
type BlocklistConfig struct {
	// JA3 are abuse.ch SSLBL JA3 CSV files (md5,first seen,last seen,reason).
	JA3 []string `json:"ja3"`
	// HASSH use the same CSV layout with HASSH digests in the first column.
	HASSH []string `json:"hassh"`
	// CertSHA1 are abuse.ch SSLBL certificate lists (listing date,sha1,reason).
	CertSHA1 []string `json:"cert_sha1"`
	// IPs are plain lists of addresses or prefixes, one per line.
	IPs []string `json:"ips"`
	// Timeout bounds one download.
	Timeout Duration `json:"timeout"`
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("720h", "30m").
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "720h0m0s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("risk: duration must be a string such as \"720h\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("risk: invalid duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

const day = 24 * time.Hour

// DefaultConfig returns the defaults: every nDPI risk on, certificates
// warned about 30 days before expiry (nDPI's default) and limited to 398
// days of validity (the CA/Browser Forum's limit since September 2020).
func DefaultConfig() Config {
	return Config{
		CertExpiryWarning: Duration(30 * day),
		CertMaxValidity:   Duration(398 * day),
		UnidirectionalExempt: []string{
			"Syslog", "collectd", "NetFlow", "sFlow", "IPFIX", "RTP", "RTCP", "MDNS",
		},
		NonStandardPortExempt: []string{"FTP_DATA", "Mining"},
		ExtraPorts:            map[string][]string{"Zabbix": {"tcp/10051"}},
		DesktopSharingApps: []string{
			"AnyDesk", "TeamViewer", "VNC", "RDP", "Radmin", "RustDesk", "Parsec", "Splashtop",
		},
		MinUserAgentLength:   5,
		MaxDNSNameLength:     253,
		LowGoodputMinPackets: 10,
		LowGoodputRatio:      0.1,
		Blocklists:           BlocklistConfig{Timeout: Duration(30 * time.Second)},
		AlertCapacity:        10000,
	}
}

// LoadConfig reads a JSON configuration file over DefaultConfig.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("risk: read configuration: %w", err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("risk: configuration %q: %w", path, err)
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	for _, n := range c.Disabled {
		if _, ok := byName[n]; !ok {
			return fmt.Errorf("risk: disabled risk %q is not a known risk name", n)
		}
	}
	for app, ports := range c.ExtraPorts {
		for _, p := range ports {
			if _, _, err := parsePortSpec(p); err != nil {
				return fmt.Errorf("risk: extra_ports of %s: %w", app, err)
			}
		}
	}
	if c.LowGoodputRatio < 0 || c.LowGoodputRatio > 1 {
		return fmt.Errorf("risk: low_goodput_ratio %v must be between 0 and 1", c.LowGoodputRatio)
	}
	return nil
}
