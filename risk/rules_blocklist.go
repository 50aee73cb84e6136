package risk

import (
	"net/netip"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// judgeBlocklists looks the flow's fingerprints and server address up in
// the loaded blocklists and in the user's nDPI rule files.
func (e *Evaluator) judgeBlocklists(r *record.Flow, _ time.Time, add addFunc) {
	lists := e.lists.Load()
	if t := r.TLS; t != nil {
		if reason, ok := e.ja3Listed(lists, t.JA3); ok {
			add("malicious_fingerprint", "JA3 "+t.JA3+" is on the blocklist"+reasonSuffix(reason))
		} else if reason, ok := lookupDigest(lists.ja3, t.JA3S); ok {
			add("malicious_fingerprint", "JA3S "+t.JA3S+" is on the blocklist"+reasonSuffix(reason))
		}
		if c := t.Cert; c != nil {
			if reason, ok := lookupDigest(lists.certSHA1, c.SHA1); ok {
				add("malicious_sha1_certificate", "certificate SHA-1 "+c.SHA1+" is on the blocklist"+reasonSuffix(reason))
			}
		}
	}
	if s := r.SSH; s != nil {
		for _, h := range []string{s.HASSH, s.HASSHServer} {
			if reason, ok := lookupDigest(lists.hassh, h); ok {
				add("malicious_fingerprint", "HASSH "+h+" is on the blocklist"+reasonSuffix(reason))
				break
			}
		}
	}
	if a, err := netip.ParseAddr(r.ServerIP); err == nil {
		if src, ok := lists.ips.lookup(a); ok {
			add("malware_host_contacted", "server "+r.ServerIP+" is on the address blocklist "+src)
		}
	}
}

func (e *Evaluator) ja3Listed(lists *blocklists, ja3 string) (string, bool) {
	if reason, ok := lookupDigest(lists.ja3, ja3); ok {
		return reason, true
	}
	if ja3 == "" {
		return "", false
	}
	return e.rules.MaliciousJA3(ja3)
}

func lookupDigest(m map[string]string, digest string) (string, bool) {
	if digest == "" {
		return "", false
	}
	reason, ok := m[strings.ToLower(strings.ReplaceAll(digest, ":", ""))]
	return reason, ok
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
