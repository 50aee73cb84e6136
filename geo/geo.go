// Package geo maps addresses to countries and autonomous systems from
// MaxMind-format (MMDB) databases, and tells which addresses are local to
// the monitored network or belong to the monitoring host itself.
//
// It reads GeoLite2/GeoIP2 Country, City and ASN databases as well as the
// free ip-location-db databases, which store the country as a top-level
// country_code instead of country.iso_code.
package geo

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Location is what the databases and the local address rules tell about one
// address. Empty fields are unknown.
type Location struct {
	// Country is the ISO 3166-1 alpha-2 code, upper case ("DE").
	Country string `json:"country,omitempty"`
	// ASN is the autonomous system number.
	ASN uint32 `json:"asn,omitempty"`
	// ASOrg is the organisation that holds the autonomous system.
	ASOrg string `json:"as_org,omitempty"`
	// Local is set for private, loopback, link-local, CGNAT and ULA
	// addresses and for the monitoring host's own addresses.
	Local bool `json:"local,omitempty"`
	// Self is set for the monitoring host's own addresses.
	Self bool `json:"self,omitempty"`
}

// DB is a set of opened MMDB files. A nil *DB is valid and finds nothing,
// so callers without a database need no special case.
type DB struct {
	readers []*maxminddb.Reader
}

// mmdbEntry lists the record fields read from every database kind.
type mmdbEntry struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	CountryCode string `maxminddb:"country_code"`
	ASN         uint32 `maxminddb:"autonomous_system_number"`
	ASOrg       string `maxminddb:"autonomous_system_organization"`
}

// Open opens one or more MMDB files, typically a country database and an
// ASN database. Lookups ask them in the given order and keep the first
// value found for each field. With no paths it returns a nil *DB and no
// error, and the web UI shows no flags.
func Open(paths ...string) (*DB, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	db := &DB{}
	for _, p := range paths {
		r, err := maxminddb.Open(p)
		if err != nil {
			closeErr := db.Close()
			return nil, errors.Join(fmt.Errorf("geo: open database %q: %w", p, err), closeErr)
		}
		db.readers = append(db.readers, r)
	}
	return db, nil
}

// Close releases the database files.
func (d *DB) Close() error {
	if d == nil {
		return nil
	}
	var errs []error
	for _, r := range d.readers {
		if err := r.Close(); err != nil {
			errs = append(errs, fmt.Errorf("geo: close database: %w", err))
		}
	}
	d.readers = nil
	return errors.Join(errs...)
}

// Lookup returns the country and AS of addr. Addresses the databases do not
// cover, and records that fail to decode, give an empty Location: a
// database problem costs a flag, never a page.
func (d *DB) Lookup(addr netip.Addr) Location {
	var loc Location
	if d == nil || !addr.IsValid() {
		return loc
	}
	addr = addr.Unmap()
	for _, r := range d.readers {
		var e mmdbEntry
		if err := r.Lookup(addr).Decode(&e); err != nil {
			continue
		}
		if loc.Country == "" {
			loc.Country = firstNonEmpty(e.Country.ISOCode, e.CountryCode, e.RegisteredCountry.ISOCode)
		}
		if loc.ASN == 0 && e.ASN != 0 {
			loc.ASN, loc.ASOrg = e.ASN, e.ASOrg
		}
	}
	return loc
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
