package store

import (
	"net/netip"
	"time"

	"github.com/flowlens/flowlens/record"
)

// kind is how a field is typed in filters and stored in columns.
type kind int

const (
	kindString kind = iota
	kindUint
	kindTime
	kindIP
	kindList
)

func (k kind) String() string {
	return [...]string{"string", "number", "time", "address", "list"}[k]
}

// field is one flow record field by its dotted name. Exactly one getter is
// set, the one of its kind; set is nil for computed fields.
type field struct {
	name   string
	column string
	kind   kind
	bits   int // width of a number column: 8, 16, 32 or 64

	str     func(*record.Flow) string
	num     func(*record.Flow) uint64
	tm      func(*record.Flow) time.Time
	list    func(*record.Flow) []string
	setStr  func(*record.Flow, string)
	setNum  func(*record.Flow, uint64)
	setTime func(*record.Flow, time.Time)
	setList func(*record.Flow, []string)

	// countryOf names the address field whose country a country field
	// stores. Its value comes from the backend's Locate function when the
	// flow is written, because the record has no country.
	countryOf string

	// sum lists the columns a computed number field adds up.
	sum []string
	// hidden marks a column that filters cannot name.
	hidden bool
}

// ip returns the address of an address field, or the zero Addr when absent.
func (f *field) ip(fl *record.Flow) netip.Addr {
	a, err := netip.ParseAddr(f.str(fl))
	if err != nil {
		return netip.Addr{}
	}
	return a
}

func strField(name string, get func(*record.Flow) string, set func(*record.Flow, string)) *field {
	return &field{name: name, kind: kindString, str: get, setStr: set}
}

func numField(name string, bits int, get func(*record.Flow) uint64, set func(*record.Flow, uint64)) *field {
	return &field{name: name, kind: kindUint, bits: bits, num: get, setNum: set}
}

func timeField(name string, get func(*record.Flow) time.Time, set func(*record.Flow, time.Time)) *field {
	return &field{name: name, kind: kindTime, tm: get, setTime: set}
}

func listField(name string, get func(*record.Flow) []string, set func(*record.Flow, []string)) *field {
	return &field{name: name, kind: kindList, list: get, setList: set}
}

func ipField(name string, get func(*record.Flow) string, set func(*record.Flow, string)) *field {
	return &field{name: name, kind: kindIP, str: get, setStr: set}
}

// columns lists every stored field in table order. Nested objects are
// flattened: tls.cert.sha1 is stored in column tls_cert_sha1.
var columns = buildColumns()

// fieldsByName indexes columns and the computed fields by dotted name.
var fieldsByName = indexFields()

// virtualFields maps a name standing for both ends of a flow to the two
// fields it covers.
var virtualFields = map[string][2]string{
	"ip":   {"client_ip", "server_ip"},
	"host": {"client_ip", "server_ip"},
	"port": {"client_port", "server_port"},
}

func buildColumns() []*field {
	var all []*field
	all = append(all, topFields()...)
	all = append(all, countryField("client_country", "client_ip"), countryField("server_country", "server_ip"))
	all = append(all, tlsFields()...)
	all = append(all, sshFields()...)
	all = append(all, dnsFields()...)
	all = append(all, httpFields()...)
	all = append(all, dhcpFields()...)
	all = append(all, objectsField())
	for _, f := range all {
		f.column = columnName(f.name)
	}
	return all
}

// countryField returns the field of the ISO 3166-1 alpha-2 country code of
// an address field. The record has no country, so reading the column back
// leaves the record as it is.
// NOTE: Matcher has no Locate function and matches country conditions
// against an empty string, so they select only in the backends.
func countryField(name, addrField string) *field {
	f := strField(name, func(*record.Flow) string { return "" }, func(*record.Flow, string) {})
	f.countryOf = addrField
	return f
}

// Locator is a country lookup: it returns the ISO 3166-1 alpha-2 code of an
// address, or "" when unknown.
type Locator func(netip.Addr) string

// value returns the string that a string field stores for fl: the country
// of the address for a country field, found with locate when it is set.
func (f *field) value(fl *record.Flow, locate Locator) string {
	if f.countryOf == "" {
		return f.str(fl)
	}
	if locate == nil {
		return ""
	}
	addr := fieldsByName[f.countryOf].ip(fl)
	if !addr.IsValid() {
		return ""
	}
	return locate(addr)
}

func columnName(dotted string) string {
	b := []byte(dotted)
	for i, c := range b {
		if c == '.' {
			b[i] = '_'
		}
	}
	return string(b)
}

func indexFields() map[string]*field {
	m := make(map[string]*field, len(columns)+2)
	for _, f := range columns {
		if !f.hidden {
			m[f.name] = f
		}
	}
	m["bytes"] = &field{name: "bytes", kind: kindUint, bits: 64, sum: []string{"c2s_bytes", "s2c_bytes"},
		num: func(f *record.Flow) uint64 { return f.C2SBytes + f.S2CBytes }}
	m["packets"] = &field{name: "packets", kind: kindUint, bits: 64, sum: []string{"c2s_packets", "s2c_packets"},
		num: func(f *record.Flow) uint64 { return f.C2SPackets + f.S2CPackets }}
	return m
}

// lookupField returns the field of a dotted name, virtual names excluded.
func lookupField(name string) (*field, bool) {
	f, ok := fieldsByName[name]
	return f, ok
}

// The bits of the objects column: which nested objects a record has, so
// that an object present but empty, such as "tls":{}, reads back as it was.
const (
	hasTLS = 1 << iota
	hasCert
	hasSSH
	hasDNS
	hasHTTP
	hasDHCP
)

func objectsField() *field {
	get := func(f *record.Flow) uint64 {
		var bits uint64
		for _, o := range []struct {
			bit     uint64
			present bool
		}{{hasTLS, f.TLS != nil}, {hasCert, f.TLS != nil && f.TLS.Cert != nil}, {hasSSH, f.SSH != nil},
			{hasDNS, f.DNS != nil}, {hasHTTP, f.HTTP != nil}, {hasDHCP, f.DHCP != nil}} {
			if o.present {
				bits |= o.bit
			}
		}
		return bits
	}
	set := func(f *record.Flow, bits uint64) {
		if bits&hasTLS != 0 {
			tlsOf(f)
		}
		if bits&hasCert != 0 {
			certOf(f)
		}
		if bits&hasSSH != 0 && f.SSH == nil {
			f.SSH = &record.SSH{}
		}
		if bits&hasDNS != 0 {
			dnsOf(f)
		}
		if bits&hasHTTP != 0 {
			httpOf(f)
		}
		if bits&hasDHCP != 0 && f.DHCP == nil {
			f.DHCP = &record.DHCP{}
		}
	}
	f := numField("objects", 8, get, set)
	f.hidden = true
	return f
}
