package geo

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/flowlens/flowlens/internal/geotest"
)

// writeDB writes an MMDB file with one record per network and returns its path.
func writeDB(t *testing.T, dbType string, records map[string]mmdbtype.Map) string {
	return geotest.WriteDB(t, dbType, records)
}

func maxmindCountry(t *testing.T) string {
	return writeDB(t, "GeoLite2-Country", map[string]mmdbtype.Map{
		"17.0.0.0/8": {"country": mmdbtype.Map{"iso_code": mmdbtype.String("US")}},
		"2a00:1450::/32": {
			"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("IE")},
		},
	})
}

func ipLocationDBCountry(t *testing.T) string {
	return writeDB(t, "ip-location-db-country", map[string]mmdbtype.Map{
		"81.0.0.0/8": {"country_code": mmdbtype.String("DE")},
	})
}

func asnDB(t *testing.T) string {
	return writeDB(t, "GeoLite2-ASN", map[string]mmdbtype.Map{
		"17.0.0.0/8": {
			"autonomous_system_number":       mmdbtype.Uint32(714),
			"autonomous_system_organization": mmdbtype.String("APPLE-ENGINEERING"),
		},
	})
}

func TestLookup(t *testing.T) {
	db, err := Open(maxmindCountry(t), ipLocationDBCountry(t), asnDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })

	tests := []struct {
		addr string
		want Location
	}{
		{"17.248.185.87", Location{Country: "US", ASN: 714, ASOrg: "APPLE-ENGINEERING"}},
		{"::ffff:17.1.2.3", Location{Country: "US", ASN: 714, ASOrg: "APPLE-ENGINEERING"}},
		{"81.2.69.160", Location{Country: "DE"}},
		{"2a00:1450:4001:80b::200e", Location{Country: "IE"}},
		{"9.9.9.9", Location{}},
	}
	for _, tt := range tests {
		got := db.Lookup(netip.MustParseAddr(tt.addr))
		if got != tt.want {
			t.Errorf("Lookup(%s) = %+v, want %+v", tt.addr, got, tt.want)
		}
	}
}

func TestOpenWithoutDatabase(t *testing.T) {
	db, err := Open()
	if err != nil {
		t.Fatalf("Open() error = %v, want nil", err)
	}
	if got := db.Lookup(netip.MustParseAddr("17.1.1.1")); got != (Location{}) {
		t.Errorf("nil DB Lookup = %+v, want empty", got)
	}
	if err := db.Close(); err != nil {
		t.Errorf("nil DB Close = %v", err)
	}
}

func TestOpenMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "absent.mmdb"))
	if err == nil {
		t.Fatal("Open(absent file) error = nil")
	}
}

func TestOpenNotMMDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junk.mmdb")
	if err := os.WriteFile(path, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil {
		t.Fatal("Open(junk) error = nil")
	}
}

func TestIsLocal(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true},
		{"172.16.238.1", true},
		{"192.168.2.17", true},
		{"127.0.0.1", true},
		{"169.254.10.1", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"100.128.0.1", false},
		{"fd00::1", true},
		{"fe80::1", true},
		{"::1", true},
		{"::ffff:192.168.1.1", true},
		{"17.248.185.87", false},
		{"2a00:1450::1", false},
		{"224.0.0.251", false},
	}
	for _, tt := range tests {
		if got := IsLocal(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("IsLocal(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestResolverSelfAndLocal(t *testing.T) {
	db, err := Open(maxmindCountry(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	self := NewSelf([]net.Addr{
		&net.IPNet{IP: net.ParseIP("192.168.2.17"), Mask: net.CIDRMask(24, 32)},
		&net.IPAddr{IP: net.ParseIP("17.5.5.5")},
		&net.UnixAddr{Name: "/tmp/x", Net: "unix"},
	})
	r := NewResolver(db, self)

	tests := []struct {
		addr string
		want Location
	}{
		{"192.168.2.17", Location{Local: true, Self: true}},
		{"192.168.2.18", Location{Local: true}},
		{"17.5.5.5", Location{Country: "US", Local: true, Self: true}},
		{"17.5.5.6", Location{Country: "US"}},
	}
	for _, tt := range tests {
		if got := r.Locate(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Locate(%s) = %+v, want %+v", tt.addr, got, tt.want)
		}
	}
}
