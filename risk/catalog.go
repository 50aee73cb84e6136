package risk

import "sort"

// Severity is nDPI's severity scale for a risk, from Low to Emergency.
type Severity uint8

// Severities in increasing order; the zero value is Low.
const (
	Low Severity = iota
	Medium
	High
	Severe
	Critical
	Emergency
)

var severityNames = [...]string{"Low", "Medium", "High", "Severe", "Critical", "Emergency"}

// String returns the severity's name as nDPI prints it ("Low", "High").
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "Unknown"
}

// ParseSeverity returns the severity named s (as String prints it).
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), true
		}
	}
	return Low, false
}

// Info describes one risk of the catalogue.
type Info struct {
	// Name is nDPI's NDPI_... identifier in lower case without the prefix.
	Name string
	// Bit is the risk's position in nDPI's risk bitmap (ndpi_risk_enum),
	// the numbering that ip_risk_mask and host_risk_mask rules use.
	Bit uint8
	// Title is the short title ndpiReader prints for the risk.
	Title    string
	Severity Severity
	// Score is the flow score the risk adds: nDPI's client and server
	// scores together (10 Low, 50 Medium, 100 High, 150 Severe).
	Score int
}

// catalog lists nDPI's risks in bitmap order. Titles are those of
// ndpiReader 4.x; severities and scores agree with the risk_score that
// ndpiReader printed for every flow of its regression captures (snapshot
// of 2024-10-21), where each risk's score was solved from the flows.
var catalog = []Info{
	{"url_possible_xss", 1, "XSS Attack", Severe, 150},
	{"url_possible_sql_injection", 2, "SQL Injection", Severe, 150},
	{"url_possible_rce_injection", 3, "RCE Injection", Severe, 150},
	{"binary_application_transfer", 4, "Binary App Transfer", Severe, 150},
	{"known_protocol_on_non_standard_port", 5, "Known Proto on Non Std Port", Medium, 50},
	{"tls_selfsigned_certificate", 6, "Self-signed Cert", High, 100},
	{"tls_obsolete_version", 7, "Obsolete TLS (v1.1 or older)", High, 100},
	{"tls_weak_cipher", 8, "Weak TLS Cipher", High, 100},
	{"tls_certificate_expired", 9, "TLS Cert Expired", High, 100},
	{"tls_certificate_mismatch", 10, "TLS Cert Mismatch", High, 100},
	{"http_suspicious_user_agent", 11, "HTTP Susp User-Agent", High, 100},
	{"numeric_ip_host", 12, "HTTP/TLS/QUIC Numeric Hostname/SNI", Low, 10},
	{"http_suspicious_url", 13, "HTTP Susp URL", High, 100},
	{"http_suspicious_header", 14, "HTTP Susp Header", High, 100},
	{"tls_not_carrying_https", 15, "TLS (probably) Not Carrying HTTPS", Low, 10},
	{"suspicious_dga_domain", 16, "Susp DGA Domain name", High, 100},
	{"malformed_packet", 17, "Malformed Packet", Low, 10},
	{"ssh_obsolete_client_version_or_cipher", 18, "SSH Obsolete Cli Vers/Cipher", High, 100},
	{"ssh_obsolete_server_version_or_cipher", 19, "SSH Obsolete Ser Vers/Cipher", Medium, 50},
	{"smb_insecure_version", 20, "SMB Insecure Vers", High, 100},
	{"tls_suspicious_esni_usage", 21, "TLS Susp ESNI Usage", Medium, 50},
	{"unsafe_protocol", 22, "Unsafe Protocol", Low, 10},
	{"dns_suspicious_traffic", 23, "Susp DNS Traffic", Medium, 50},
	{"tls_missing_sni", 24, "Missing SNI TLS Extn", Medium, 50},
	{"http_suspicious_content", 25, "HTTP Susp Content", High, 100},
	{"risky_asn", 26, "Risky ASN", Medium, 50},
	{"risky_domain", 27, "Risky Domain Name", Medium, 50},
	{"malicious_fingerprint", 28, "Malicious Fingerpint", Medium, 50},
	{"malicious_sha1_certificate", 29, "Malicious SSL Cert/SHA1 Fingerp.", Medium, 50},
	{"desktop_or_file_sharing_session", 30, "Desktop/File Sharing", Low, 10},
	{"tls_uncommon_alpn", 31, "Uncommon TLS ALPN", Medium, 50},
	{"tls_cert_validity_too_long", 32, "TLS Cert Validity Too Long", Medium, 50},
	{"tls_suspicious_extension", 33, "TLS Susp Extn", High, 100},
	{"tls_fatal_alert", 34, "TLS Fatal Alert", Low, 10},
	{"suspicious_entropy", 35, "Susp Entropy", Low, 10},
	{"clear_text_credentials", 36, "Clear-Text Credentials", High, 100},
	{"dns_large_packet", 37, "Large DNS Packet (512+ bytes)", Medium, 50},
	{"dns_fragmented", 38, "Fragmented DNS Message", Medium, 50},
	{"invalid_characters", 39, "Non-Printable/Invalid Chars Detected", High, 100},
	{"possible_exploit", 40, "Possible Exploit Attempt", Severe, 150},
	{"tls_certificate_about_to_expire", 41, "TLS Cert About To Expire", Medium, 50},
	{"punycode_idn", 42, "IDN Domain Name", Low, 10},
	{"error_code_detected", 43, "Error Code", Low, 10},
	{"http_crawler_bot", 44, "Crawler/Bot", Low, 10},
	{"anonymous_subscriber", 45, "Anonymous Subscriber", Medium, 50},
	{"unidirectional_traffic", 46, "Unidirectional Traffic", Low, 10},
	{"http_obsolete_server", 47, "HTTP Obsolete Server", Medium, 50},
	{"periodic_flow", 48, "Periodic Flow", Low, 10},
	{"minor_issues", 49, "Minor Issues", Low, 10},
	{"tcp_issues", 50, "TCP Connection Issues", Medium, 50},
	{"fully_encrypted", 51, "Fully Encrypted Flow", Medium, 50},
	{"tls_alpn_sni_mismatch", 52, "ALPN/SNI Mismatch", Medium, 50},
	{"malware_host_contacted", 53, "Client Contacted A Malware Host", Severe, 150},
	{"binary_data_transfer", 54, "Binary File/Data Transfer (Attempt)", Medium, 50},
	{"probing_attempt", 55, "Probing Attempt", Medium, 50},
	{"obfuscated_traffic", 56, "Obfuscated Traffic", High, 100},

	// low_goodput is flowlens's own: nDPI has no such risk, so it has no
	// bit and no mask rule can clear it.
	{"low_goodput", 0, "Low Goodput", Low, 10},
}

var byName = func() map[string]*Info {
	m := make(map[string]*Info, len(catalog))
	for i := range catalog {
		m[catalog[i].Name] = &catalog[i]
	}
	return m
}()

// Lookup returns the catalogue entry of the risk called name.
func Lookup(name string) (Info, bool) {
	in, ok := byName[name]
	if !ok {
		return Info{}, false
	}
	return *in, true
}

// Describe returns the title, severity name and score of the risk called
// name, as the alerts view shows them.
func Describe(name string) (title, severity string, score int, ok bool) {
	in, ok := byName[name]
	if !ok {
		return "", "", 0, false
	}
	return in.Title, in.Severity.String(), in.Score, true
}

// Catalog returns every known risk in bitmap order.
func Catalog() []Info {
	out := make([]Info, len(catalog))
	copy(out, catalog)
	return out
}

// Score returns the sum of the scores of the named risks; names not in
// the catalogue add nothing.
func Score(names []string) int {
	total := 0
	for _, n := range names {
		if in, ok := byName[n]; ok {
			total += in.Score
		}
	}
	return total
}

// sortUnique sorts names and removes repeats in place.
func sortUnique(names []string) []string {
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if i == 0 || n != names[i-1] {
			out = append(out, n)
		}
	}
	return out
}
