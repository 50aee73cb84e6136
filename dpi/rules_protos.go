package dpi

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// readProtos reads nDPI's protos.txt. Each line is a comma-separated list
// of rules, "@", and the protocol name with an optional "=id":
//
//	tcp:81,tcp:8181@HTTP
//	udp:5000-5010@Custom
//	host:"example.com",host:"cdn.example.net"@Example
//	ip:1.2.3.4/24:443@Name=800
//	ipv6:[2001:db8::]/64:100@Name
//
// and the risk and trust lines:
//
//	ip_risk_mask:10.0.0.0/8=0   ipv6_risk_mask:[fe80::1]=0
//	host_risk_mask:".home"=0    trusted_issuer_dn:"CN=..., C=US"
func (ld *loader) readProtos(path string) error {
	return eachLine(path, func(n int, line string) {
		if err := ld.protosLine(line); err != nil {
			ld.warn("protos.txt", n, err.Error())
		}
	})
}

// eachLine calls fn for each non-empty line that is not a # comment.
func eachLine(path string, fn func(n int, line string)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("dpi: open rules: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fn(n, line)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("dpi: read %s: %w", path, err)
	}
	return nil
}

func (ld *loader) protosLine(line string) error {
	for _, kw := range []string{"ip_risk_mask:", "ipv6_risk_mask:", "host_risk_mask:", "trusted_issuer_dn:"} {
		if rest, ok := strings.CutPrefix(line, kw); ok {
			return ld.protosSpecial(kw, rest)
		}
	}
	at := strings.LastIndexByte(line, '@')
	if at < 0 {
		return fmt.Errorf("missing @protocol")
	}
	name, _, _ := strings.Cut(strings.TrimSpace(line[at+1:]), "=")
	if name == "" {
		return fmt.Errorf("empty protocol name")
	}
	name = canonicalProtocolName(name)
	for _, rule := range splitRules(line[:at]) {
		if err := ld.protosRule(rule, name); err != nil {
			return err
		}
	}
	return nil
}

// splitRules splits at commas outside double quotes.
func splitRules(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

func (ld *loader) protosRule(rule, name string) error {
	kind, val, ok := strings.Cut(rule, ":")
	if !ok {
		return fmt.Errorf("rule %q has no kind (want tcp:, udp:, host:, ip: or ipv6:)", rule)
	}
	switch kind {
	case "tcp", "udp":
		return ld.portRule(kind, val, name)
	case "host":
		h, err := unquote(val)
		if err != nil {
			return err
		}
		ld.hostRules.add(strings.ToLower(h), hostMatch{App: name})
		return nil
	case "ip", "ipv6":
		p, port, err := parseAddrRule(kind, val)
		if err != nil {
			return err
		}
		ld.ipRules = append(ld.ipRules, prefixEntry[[]portRule]{p, []portRule{{port, name}}})
		return nil
	case "nbpf":
		// TODO: nBPF filters are not evaluated; flows they would name stay
		// unclassified by rules.
		return fmt.Errorf("nBPF filters are not supported")
	}
	return fmt.Errorf("unknown rule kind %q", kind)
}

func (ld *loader) portRule(kind, val, name string) error {
	proto := uint8(ipProtoTCP)
	if kind == "udp" {
		proto = ipProtoUDP
	}
	lo, hi, isRange := strings.Cut(val, "-")
	first, err := parsePort(lo)
	if err != nil {
		return err
	}
	last := first
	if isRange {
		if last, err = parsePort(hi); err != nil {
			return err
		}
		if last < first {
			return fmt.Errorf("invalid port range %q", val)
		}
	}
	for p := uint32(first); p <= uint32(last); p++ {
		ld.r.ports[portKey{proto, uint16(p)}] = name
	}
	return nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	return uint16(n), nil
}

func unquote(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("value %s must be a non-empty quoted string", s)
	}
	return s[1 : len(s)-1], nil
}
