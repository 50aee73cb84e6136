package dpi

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// categoryNames maps nDPI's category ids (ndpi_protocol_category_t, as
// numbered in nDPI 4.x) to their names, for categories.txt and the
// "<id>_<name>.list" files. Ids 20 to 24 are nDPI's five user-defined
// categories, which carry no name.
var categoryNames = map[int]string{
	0: "Unspecified", 1: "Media", 2: "VPN", 3: "Email", 4: "DataTransfer", 5: "Web",
	6: "SocialNetwork", 7: "Download", 8: "Game", 9: "Chat", 10: "VoIP", 11: "Database",
	12: "RemoteAccess", 13: "Cloud", 14: "Network", 15: "Collaborative", 16: "RPC",
	17: "Streaming", 18: "System", 19: "SoftwareUpdate",
	20: "Custom category 1", 21: "Custom category 2", 22: "Custom category 3",
	23: "Custom category 4", 24: "Custom category 5",
	25: "Music", 26: "Video", 27: "Shopping", 28: "Productivity", 29: "FileSharing",
	30: "ConnCheck", 31: "IoT-Scada", 32: "VirtAssistant",
	99: "Mining", 100: "Malware", 101: "Advertisement", 102: "Banned_Site",
	103: "Site_Unavailable", 104: "Allowed_Site", 105: "Antimalware", 107: "Gambling",
}

func categoryName(id string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(id))
	if err != nil {
		return "", fmt.Errorf("invalid category id %q", id)
	}
	name, ok := categoryNames[n]
	if !ok {
		return "", fmt.Errorf("unknown category id %d", n)
	}
	return name, nil
}

// readCategories reads categories.txt: "name<TAB>category id" per line,
// where name is a host name, an IPv4 address or prefix, or an IPv6
// address or prefix in brackets ("[2001:db8::1]/127").
func (ld *loader) readCategories(path string) error {
	return eachLine(path, func(n int, line string) {
		f := strings.Fields(line)
		if len(f) != 2 {
			ld.warn("categories.txt", n, "want a name and a category id")
			return
		}
		cat, err := categoryName(f[1])
		if err != nil {
			ld.warn("categories.txt", n, err.Error())
			return
		}
		ld.addCategory(f[0], cat)
	})
}

// addCategory files a host name, address or prefix under a category.
func (ld *loader) addCategory(name, cat string) {
	if p, ok := parseListAddr(name); ok {
		ld.catIPs = append(ld.catIPs, prefixEntry[string]{p, cat})
		return
	}
	ld.catHosts.add(strings.ToLower(strings.TrimPrefix(name, ".")), hostMatch{Category: cat})
}

// parseListAddr accepts "1.2.3.4", "1.2.3.0/24", "[2001:db8::1]",
// "[2001:db8::]/64" and bare IPv6 forms.
func parseListAddr(s string) (netip.Prefix, bool) {
	if strings.HasPrefix(s, "[") {
		p, _, err := parseAddrRule("ipv6", s)
		return p, err == nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// readLists reads every "<category id>_<name>.list" file in dir: one host
// name, address or prefix per line.
func (ld *loader) readLists(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("dpi: read lists: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".list") {
			continue
		}
		id, _, ok := strings.Cut(e.Name(), "_")
		cat, err := categoryName(id)
		if !ok || err != nil {
			ld.warn(e.Name(), 0, "file name must be <category id>_<name>.list with a known id")
			continue
		}
		err = eachLine(filepath.Join(dir, e.Name()), func(n int, line string) {
			if strings.ContainsAny(line, " \t") {
				ld.warn(e.Name(), n, "want one name or address per line")
				return
			}
			ld.addCategory(line, cat)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// readRiskyDomains reads risky_domains.txt: one domain per line; a leading
// dot (".tk") lists everything under it.
func (ld *loader) readRiskyDomains(path string) error {
	return eachLine(path, func(n int, line string) {
		d := strings.ToLower(strings.Trim(line, "."))
		if d == "" || strings.ContainsAny(d, " \t/") {
			ld.warn("risky_domains.txt", n, "want a domain name")
			return
		}
		ld.r.risky[d] = true
	})
}

// readJA3 reads abuse.ch's SSLBL JA3 CSV: "ja3_md5,Firstseen,Lastseen,
// Listingreason".
func (ld *loader) readJA3(path string) error {
	return eachLine(path, func(n int, line string) {
		f := strings.Split(line, ",")
		if !isHex(f[0], 32) {
			ld.warn("ja3_fingerprints.csv", n, "first field is not an MD5 digest")
			return
		}
		ld.r.ja3[strings.ToLower(f[0])] = strings.TrimSpace(f[len(f)-1])
	})
}

// readSHA1 reads abuse.ch's SSLBL certificate CSV: "Listingdate,SHA1,
// Listingreason".
func (ld *loader) readSHA1(path string) error {
	return eachLine(path, func(n int, line string) {
		f := strings.Split(line, ",")
		if len(f) < 2 || !isHex(strings.TrimSpace(f[1]), 40) {
			ld.warn("sha1_fingerprints.csv", n, "second field is not a SHA-1 digest")
			return
		}
		reason := ""
		if len(f) > 2 {
			reason = strings.TrimSpace(f[2])
		}
		ld.r.certSHA1[strings.ToLower(strings.TrimSpace(f[1]))] = reason
	})
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
