package geo

import (
	"net"
	"net/netip"
)

// localPrefixes are the ranges that never leave a site and that
// netip.Addr's own predicates do not cover.
var localPrefixes = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT, RFC 6598
}

// IsLocal reports whether addr belongs to a private (RFC 1918), loopback,
// link-local, carrier-grade NAT (RFC 6598) or unique local IPv6 (RFC 4193)
// range. IPv4-mapped IPv6 addresses are judged as IPv4.
func IsLocal(addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast() {
		return true
	}
	for _, p := range localPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Self is the set of the monitoring host's own addresses.
type Self struct {
	addrs map[netip.Addr]struct{}
}

// NewSelf builds the set from interface addresses as net.InterfaceAddrs
// returns them (*net.IPNet or *net.IPAddr); other kinds are ignored.
func NewSelf(addrs []net.Addr) Self {
	s := Self{addrs: make(map[netip.Addr]struct{}, len(addrs))}
	for _, a := range addrs {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		default:
			continue
		}
		if addr, ok := netip.AddrFromSlice(ip); ok {
			s.addrs[addr.Unmap()] = struct{}{}
		}
	}
	return s
}

// Contains reports whether addr is one of the host's own addresses.
func (s Self) Contains(addr netip.Addr) bool {
	_, ok := s.addrs[addr.Unmap()]
	return ok
}

// Resolver combines a database with the local address rules, giving the
// web UI everything it shows next to an address.
type Resolver struct {
	db   *DB
	self Self
}

// NewResolver returns a Resolver over db (which may be nil) and the host's
// own addresses.
func NewResolver(db *DB, self Self) *Resolver {
	return &Resolver{db: db, self: self}
}

// Locate returns the Location of addr. Local addresses are not looked up in
// the database, since country databases do not cover them.
func (r *Resolver) Locate(addr netip.Addr) Location {
	addr = addr.Unmap()
	var loc Location
	if IsLocal(addr) {
		loc.Local = true
	} else {
		loc = r.db.Lookup(addr)
	}
	if r.self.Contains(addr) {
		loc.Local, loc.Self = true, true
	}
	return loc
}
