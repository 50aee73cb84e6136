package dpi

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// dataFS holds the application catalogue, host patterns and IP prefixes.
//
//go:embed data/protocols.csv data/hosts.txt data/ip_prefixes.txt
var dataFS embed.FS

// Protocol is one application of nDPI's catalogue, with its defaults.
type Protocol struct {
	// Name is spelled as nDPI spells it ("TLS", "YouTube").
	Name string
	// Category is nDPI's category name ("Web", "VPN"); empty for nDPI's
	// "Unspecified".
	Category string
	// Breed is nDPI's breed ("Safe", "Fun", "Tracker/Ads", ...).
	Breed string
	// Encrypted reports whether nDPI marks the protocol's traffic encrypted.
	Encrypted bool
	// TCPPorts and UDPPorts are nDPI's default ports, used to guess a
	// flow's protocol when no dissector claims it.
	TCPPorts, UDPPorts []uint16
}

type catalog struct {
	byName map[string]*Protocol
	// order keeps the file order, which decides port ties.
	order []*Protocol
}

var loadCatalog = sync.OnceValue(func() *catalog {
	f, err := dataFS.Open("data/protocols.csv")
	if err != nil {
		panic(fmt.Errorf("dpi: embedded catalogue: %w", err))
	}
	defer f.Close()
	c, err := parseCatalog(f)
	if err != nil {
		panic(err)
	}
	return c
})

// lookupProtocol returns the catalogue entry named name (exact spelling).
func lookupProtocol(name string) (Protocol, bool) {
	p, ok := loadCatalog().byName[name]
	if !ok {
		return Protocol{}, false
	}
	return *p, true
}

// canonicalProtocolName returns the catalogue's spelling of name, which a
// rule file may write in another case: nDPI looks protocol names up
// without regard to case, so "@Netflix" in a rule names NetFlix. Names
// not in the catalogue are returned unchanged.
func canonicalProtocolName(name string) string {
	if _, ok := loadCatalog().byName[name]; ok {
		return name
	}
	for known := range loadCatalog().byName {
		if strings.EqualFold(known, name) {
			return known
		}
	}
	return name
}

// parseCatalog reads protocols.csv: name, category, breed, encrypted
// (yes/no), tcp_ports and udp_ports (space-separated), source.
func parseCatalog(r io.Reader) (*catalog, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 7
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("dpi: read catalogue: %w", err)
	}
	c := &catalog{byName: make(map[string]*Protocol, len(recs))}
	for i, rec := range recs {
		if i == 0 {
			continue // header
		}
		p, err := parseProtocol(rec)
		if err != nil {
			return nil, fmt.Errorf("dpi: catalogue line %d: %w", i+1, err)
		}
		if _, dup := c.byName[p.Name]; dup {
			return nil, fmt.Errorf("dpi: catalogue line %d: duplicate protocol %q", i+1, p.Name)
		}
		c.byName[p.Name] = p
		c.order = append(c.order, p)
	}
	return c, nil
}

func parseProtocol(rec []string) (*Protocol, error) {
	p := &Protocol{Name: rec[0], Category: rec[1], Breed: rec[2]}
	switch rec[3] {
	case "yes":
		p.Encrypted = true
	case "no":
	default:
		return nil, fmt.Errorf("invalid encrypted value %q (want yes or no)", rec[3])
	}
	var err error
	if p.TCPPorts, err = parsePorts(rec[4]); err != nil {
		return nil, err
	}
	if p.UDPPorts, err = parsePorts(rec[5]); err != nil {
		return nil, err
	}
	return p, nil
}

func parsePorts(s string) ([]uint16, error) {
	var out []uint16
	for _, f := range strings.Fields(s) {
		n, err := strconv.ParseUint(f, 10, 16)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("invalid port %q", f)
		}
		out = append(out, uint16(n))
	}
	return out, nil
}

// DefaultPorts returns the usual TCP and UDP ports of a protocol named as
// nDPI names it, for rules that judge a protocol on an unusual port.
func DefaultPorts(name string) (tcp, udp []uint16, ok bool) {
	p, ok := lookupProtocol(name)
	if !ok {
		return nil, nil, false
	}
	return p.TCPPorts, p.UDPPorts, true
}
