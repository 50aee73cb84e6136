package dpi

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// parseAddrRule parses the value of an ip: or ipv6: rule: an address, an
// optional /bits and an optional :port ("1.2.3.4/24:443",
// "[2001:db8::]/64:100", "[fe80::1]"). A host name in place of an address
// is rejected: resolving it would make classification depend on DNS.
func parseAddrRule(kind, val string) (netip.Prefix, uint16, error) {
	var addrPart, rest string
	if kind == "ipv6" {
		if !strings.HasPrefix(val, "[") {
			return netip.Prefix{}, 0, fmt.Errorf("ipv6 address %q must be in brackets", val)
		}
		end := strings.IndexByte(val, ']')
		if end < 0 {
			return netip.Prefix{}, 0, fmt.Errorf("missing ] in %q", val)
		}
		addrPart, rest = val[1:end], val[end+1:]
	} else {
		i := strings.IndexAny(val, "/:")
		if i < 0 {
			i = len(val)
		}
		addrPart, rest = val[:i], val[i:]
	}
	addr, err := netip.ParseAddr(addrPart)
	if err != nil {
		return netip.Prefix{}, 0, fmt.Errorf("invalid address %q (host names are not resolved)", addrPart)
	}
	bits := addr.BitLen()
	if b, ok := strings.CutPrefix(rest, "/"); ok {
		bitStr, after, _ := strings.Cut(b, ":")
		if bits, err = strconv.Atoi(bitStr); err != nil || bits < 0 || bits > addr.BitLen() {
			return netip.Prefix{}, 0, fmt.Errorf("invalid prefix length %q", bitStr)
		}
		rest = ""
		if after != "" {
			rest = ":" + after
		}
	}
	var port uint16
	if p, ok := strings.CutPrefix(rest, ":"); ok {
		if port, err = parsePort(p); err != nil {
			return netip.Prefix{}, 0, err
		}
	} else if rest != "" {
		return netip.Prefix{}, 0, fmt.Errorf("unexpected %q after address", rest)
	}
	p, err := addr.Prefix(bits)
	return p, port, err
}

// protosSpecial parses the risk-mask and trusted-issuer lines.
func (ld *loader) protosSpecial(kw, rest string) error {
	if kw == "trusted_issuer_dn:" {
		dn, err := unquote(rest)
		if err != nil {
			return err
		}
		ld.r.trustedDNs[dn] = true
		return nil
	}
	i := strings.LastIndexByte(rest, '=')
	if i < 0 {
		return fmt.Errorf("%s needs =mask", kw)
	}
	mask, err := strconv.ParseUint(strings.TrimSpace(rest[i+1:]), 0, 64)
	if err != nil {
		return fmt.Errorf("invalid mask %q", rest[i+1:])
	}
	target := strings.TrimSpace(rest[:i])

	if kw == "host_risk_mask:" {
		h, err := unquote(target)
		if err != nil {
			return err
		}
		ld.hostMasks.add(strings.ToLower(strings.TrimPrefix(h, ".")), hostMatch{mask: mask})
		return nil
	}

	kind := "ip"
	if kw == "ipv6_risk_mask:" {
		kind = "ipv6"
	}
	p, port, err := parseAddrRule(kind, target)
	if err != nil {
		return err
	}
	if port != 0 {
		return fmt.Errorf("%s takes no port", kw)
	}
	ld.ipMasks = append(ld.ipMasks, prefixEntry[uint64]{p, mask})
	return nil
}
