package dpi

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// Rules holds a user's nDPI rule files: custom protocols by port, host and
// address, category overrides, risky domains and the abuse.ch blocklists
// of JA3 fingerprints and certificate SHA-1 digests. A nil *Rules matches
// nothing, so callers need no rule files.
type Rules struct {
	ports      map[portKey]string
	hosts      *hostTable
	ips        *prefixTable[[]portRule]
	catHosts   *hostTable
	catIPs     *prefixTable[string]
	risky      map[string]bool // domain suffixes, lowercase, without leading dot
	ja3        map[string]string
	certSHA1   map[string]string
	trustedDNs map[string]bool
	hostMasks  *hostTable
	ipMasks    *prefixTable[uint64]
}

// portRule is one ip: rule of protos.txt; port 0 matches any port.
type portRule struct {
	port uint16
	app  string
}

// loader collects the entries of all files before the tables are built
// and reports malformed lines.
type loader struct {
	log       *slog.Logger
	r         *Rules
	hostRules *hostTable
	ipRules   []prefixEntry[[]portRule]
	catHosts  *hostTable
	catIPs    []prefixEntry[string]
	hostMasks *hostTable
	ipMasks   []prefixEntry[uint64]
	malformed int
}

// LoadRules reads whichever of nDPI's rule files exist in dir: protos.txt,
// categories.txt, risky_domains.txt, ja3_fingerprints.csv,
// sha1_fingerprints.csv and lists/<category id>_<name>.list. A malformed
// line is logged as a warning with its file and line number and skipped;
// the rest still loads. It returns an error only when dir or a file in it
// cannot be read.
func LoadRules(dir string, logger *slog.Logger) (*Rules, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ld := &loader{log: logger, r: &Rules{
		ports:      map[portKey]string{},
		risky:      map[string]bool{},
		ja3:        map[string]string{},
		certSHA1:   map[string]string{},
		trustedDNs: map[string]bool{},
	}, hostRules: newHostTable(), catHosts: newHostTable(), hostMasks: newHostTable()}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("dpi: rules directory: %w", err)
	}
	files := []struct {
		name string
		read func(path string) error
	}{
		{"protos.txt", ld.readProtos},
		{"categories.txt", ld.readCategories},
		{"risky_domains.txt", ld.readRiskyDomains},
		{"ja3_fingerprints.csv", ld.readJA3},
		{"sha1_fingerprints.csv", ld.readSHA1},
	}
	for _, f := range files {
		err := f.read(filepath.Join(dir, f.name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if err := ld.readLists(filepath.Join(dir, "lists")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ld.build()
	return ld.r, nil
}

func (ld *loader) build() {
	r := ld.r
	r.hosts, r.catHosts, r.hostMasks = ld.hostRules, ld.catHosts, ld.hostMasks
	r.ips = newPrefixTable(mergePortRules(ld.ipRules))
	r.catIPs = newPrefixTable(ld.catIPs)
	r.ipMasks = newPrefixTable(ld.ipMasks)
	ld.log.Info("dpi: rules loaded", "custom_ports", len(r.ports), "custom_ip_rules", len(ld.ipRules),
		"category_ips", len(ld.catIPs), "risky_domains", len(r.risky), "ja3", len(r.ja3),
		"cert_sha1", len(r.certSHA1), "malformed_lines", ld.malformed)
}

// mergePortRules joins the rules for one prefix, so that 3.3.3.3:443 and
// 3.3.3.3:444 can name different protocols.
func mergePortRules(in []prefixEntry[[]portRule]) []prefixEntry[[]portRule] {
	idx := map[netip.Prefix]int{}
	var out []prefixEntry[[]portRule]
	for _, e := range in {
		if i, ok := idx[e.prefix]; ok {
			out[i].val = append(out[i].val, e.val...)
			continue
		}
		idx[e.prefix] = len(out)
		out = append(out, e)
	}
	return out
}

// warn reports a malformed line.
func (ld *loader) warn(file string, line int, msg string, args ...any) {
	ld.malformed++
	ld.log.Warn("dpi: skipped malformed rule line", append([]any{"file", file, "line", line, "reason", msg}, args...)...)
}

// ProtocolByPort returns the custom protocol that a tcp:/udp: rule of
// protos.txt gives to port (proto 6 for TCP, 17 for UDP).
func (r *Rules) ProtocolByPort(proto uint8, port uint16) (string, bool) {
	if r == nil {
		return "", false
	}
	name, ok := r.ports[portKey{proto, port}]
	return name, ok
}

// ProtocolByHost returns the custom protocol that a host: rule gives to a
// host name, matched like the built-in host table.
func (r *Rules) ProtocolByHost(host string) (string, bool) {
	if r == nil {
		return "", false
	}
	m, ok := r.hosts.match(host)
	return m.App, ok
}

// ProtocolByIP returns the custom protocol of an ip:/ipv6: rule for a
// server address and port. As in nDPI, the most specific prefix decides:
// when its rules all name other ports, no protocol is returned even if a
// wider prefix would match.
func (r *Rules) ProtocolByIP(addr netip.Addr, port uint16) (string, bool) {
	if r == nil {
		return "", false
	}
	rules, ok := r.ips.lookup(addr)
	if !ok {
		return "", false
	}
	for _, pr := range rules {
		if pr.port == port {
			return pr.app, true
		}
	}
	for _, pr := range rules {
		if pr.port == 0 {
			return pr.app, true
		}
	}
	return "", false
}

// CategoryForHost returns the category that categories.txt or a lists/
// file gives to a host name.
func (r *Rules) CategoryForHost(host string) (string, bool) {
	if r == nil {
		return "", false
	}
	m, ok := r.catHosts.match(host)
	return m.Category, ok
}

// CategoryForIP returns the category that categories.txt or a lists/ file
// gives to an address.
func (r *Rules) CategoryForIP(addr netip.Addr) (string, bool) {
	if r == nil {
		return "", false
	}
	return r.catIPs.lookup(addr)
}

// IsRiskyDomain reports whether host is, or is under, a domain of
// risky_domains.txt (".tk" lists a whole top-level domain).
func (r *Rules) IsRiskyDomain(host string) bool {
	if r == nil || len(r.risky) == 0 {
		return false
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	for {
		if r.risky[h] {
			return true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			return false
		}
		h = h[i+1:]
	}
}

// MaliciousJA3 returns the listing reason of a JA3 client fingerprint (MD5
// in hexadecimal, any case) on the ja3_fingerprints.csv blocklist.
func (r *Rules) MaliciousJA3(md5 string) (reason string, ok bool) {
	if r == nil {
		return "", false
	}
	reason, ok = r.ja3[strings.ToLower(md5)]
	return reason, ok
}

// MaliciousCertSHA1 returns the listing reason of a certificate SHA-1
// digest (hexadecimal, any case, colons allowed) on the
// sha1_fingerprints.csv blocklist.
func (r *Rules) MaliciousCertSHA1(sha1 string) (reason string, ok bool) {
	if r == nil {
		return "", false
	}
	reason, ok = r.certSHA1[strings.ToLower(strings.ReplaceAll(sha1, ":", ""))]
	return reason, ok
}

// TrustedIssuer reports whether protos.txt lists issuerDN (as a
// certificate prints it, "CN=..., O=..., C=...") as a trusted authority.
func (r *Rules) TrustedIssuer(issuerDN string) bool {
	return r != nil && r.trustedDNs[issuerDN]
}

// RiskMaskForIP returns the ip_risk_mask of protos.txt for an address: the
// risk stage ANDs a flow's risk bitmap with the client's and server's
// masks (nDPI risk bit numbering).
func (r *Rules) RiskMaskForIP(addr netip.Addr) (uint64, bool) {
	if r == nil {
		return 0, false
	}
	return r.ipMasks.lookup(addr)
}

// RiskMaskForHost returns the host_risk_mask of protos.txt for a host name.
func (r *Rules) RiskMaskForHost(host string) (uint64, bool) {
	if r == nil {
		return 0, false
	}
	m, ok := r.hostMasks.match(host)
	if !ok {
		return 0, false
	}
	return m.mask, true
}
