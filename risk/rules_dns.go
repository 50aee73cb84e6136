package risk

import (
	"fmt"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// judgeDNS judges the DNS answer and, for every flow, its host name.
func (e *Evaluator) judgeDNS(r *record.Flow, _ time.Time, add addFunc) {
	if d := r.DNS; d != nil {
		if d.RCode != "" && d.RCode != "NOERROR" {
			add("error_code_detected", "DNS answer "+d.RCode+" for "+d.Query)
		}
		if long := e.longName(d.Query); long != "" {
			add("dns_suspicious_traffic", long)
		}
	}
	host := flowHost(r)
	if host == "" || isNumericHost(host) {
		return
	}
	if e.rules.IsRiskyDomain(host) {
		add("risky_domain", host+" is under a domain on the risky domain list")
	}
	if hasPunycodeLabel(host) {
		add("punycode_idn", host+" is an internationalised (punycode) name")
	}
}

// longName describes a query name longer than the configured limit or with
// a label over RFC 1035's 63 octets, and returns "" for a normal name.
func (e *Evaluator) longName(name string) string {
	if len(name) > e.cfg.MaxDNSNameLength {
		return fmt.Sprintf("DNS name of %d octets", len(name))
	}
	for _, label := range strings.Split(name, ".") {
		if len(label) > 63 {
			return fmt.Sprintf("DNS label of %d octets", len(label))
		}
	}
	return ""
}

// hasPunycodeLabel reports an A-label (RFC 5890 section 2.3.2.1), the
// ASCII form of an internationalised label.
func hasPunycodeLabel(host string) bool {
	for _, label := range strings.Split(strings.ToLower(host), ".") {
		if strings.HasPrefix(label, "xn--") {
			return true
		}
	}
	return false
}
