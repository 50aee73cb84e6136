package dpi

import (
	"slices"
	"strings"
	"testing"
)

func TestLookupProtocol(t *testing.T) {
	tests := []struct {
		name      string
		category  string
		breed     string
		encrypted bool
		tcp, udp  []uint16
	}{
		{"TLS", "Web", "Safe", true, []uint16{443}, nil},
		{"DNS", "Network", "Acceptable", false, []uint16{53}, []uint16{53}},
		{"YouTube", "Media", "Fun", true, nil, nil},
		{"NetBIOS", "System", "Acceptable", false, []uint16{139}, []uint16{137, 138, 139}},
		{"QUIC", "Web", "Acceptable", true, nil, []uint16{443}},
	}
	for _, tt := range tests {
		p, ok := lookupProtocol(tt.name)
		if !ok {
			t.Errorf("lookupProtocol(%q) not found", tt.name)
			continue
		}
		if p.Category != tt.category || p.Breed != tt.breed || p.Encrypted != tt.encrypted {
			t.Errorf("lookupProtocol(%q) = %q/%q/%v, want %q/%q/%v", tt.name,
				p.Category, p.Breed, p.Encrypted, tt.category, tt.breed, tt.encrypted)
		}
		if !slices.Equal(p.TCPPorts, tt.tcp) || !slices.Equal(p.UDPPorts, tt.udp) {
			t.Errorf("lookupProtocol(%q) ports = %v/%v, want %v/%v", tt.name, p.TCPPorts, p.UDPPorts, tt.tcp, tt.udp)
		}
	}
	if _, ok := lookupProtocol("tls"); ok {
		t.Error("lookupProtocol is case-sensitive, but found \"tls\"")
	}
}

// TestCatalogCoversTruth checks that every protocol name nDPI printed for
// the test captures is in the catalogue, apart from the custom protocols
// that protos.txt defines.
func TestCatalogCoversTruth(t *testing.T) {
	custom := map[string]bool{"HomeRouter": true, "TestProto": true, "AmazonPrime": true,
		"iSCSI": true, "Kibana": true, "Elasticsearch": true, "Unknown": true}
	missing := map[string]bool{}
	for _, f := range loadTruth(t) {
		for _, n := range []string{f.master, f.app} {
			if n == "" || custom[n] || strings.HasPrefix(n, "CustomProtocol") {
				continue
			}
			if _, ok := lookupProtocol(n); !ok {
				missing[n] = true
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("protocols missing from the catalogue: %v", missing)
	}
}

func TestParseCatalogErrors(t *testing.T) {
	head := "name,category,breed,encrypted,tcp_ports,udp_ports,source\n"
	tests := []struct{ name, body, want string }{
		{"bad encrypted", "X,Web,Safe,maybe,,,s\n", "invalid encrypted"},
		{"bad port", "X,Web,Safe,no,99999,,s\n", "invalid port"},
		{"zero port", "X,Web,Safe,no,,0,s\n", "invalid port"},
		{"duplicate", "X,Web,Safe,no,,,s\nX,Web,Safe,no,,,s\n", "duplicate"},
		{"short row", "X,Web\n", "wrong number of fields"},
	}
	for _, tt := range tests {
		_, err := parseCatalog(strings.NewReader(head + tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestCategoryOf(t *testing.T) {
	tests := []struct{ master, app, want string }{
		{"TLS", "YouTube", "Media"},
		{"DNS", "YouTube", "Network"},
		{"QUIC", "Google", "Web"},
		{"TLS", "", "Web"},
		{"HTTP", "NoSuchApp", "Web"},
		{"NoSuchMaster", "", ""},
	}
	for _, tt := range tests {
		if got := categoryOf(tt.master, tt.app); got != tt.want {
			t.Errorf("categoryOf(%q, %q) = %q, want %q", tt.master, tt.app, got, tt.want)
		}
	}
}

func TestBreedOf(t *testing.T) {
	tests := []struct{ master, app, want string }{
		{"TLS", "YouTube", "Fun"},
		{"DNS", "YouTube", "Fun"},
		{"TLS", "", "Safe"},
		{"NoSuchMaster", "", "Unrated"},
	}
	for _, tt := range tests {
		if got := breedOf(tt.master, tt.app); got != tt.want {
			t.Errorf("breedOf(%q, %q) = %q, want %q", tt.master, tt.app, got, tt.want)
		}
	}
}

// TestCategoryBreedTruth measures categoryOf and breedOf, refined by the
// host table's per-host category, against nDPI's per-flow results. The
// remaining misses come from what a name table cannot know: HTTP
// downloads, blocklist hits ("Malware") and user category files.
func TestCategoryBreedTruth(t *testing.T) {
	var cat, brd agreement
	for _, f := range loadTruth(t) {
		if f.category != "" {
			got := categoryOf(f.master, f.app)
			if m, ok := matchHostDetail(f.info); ok && m.Category != "" && m.App == f.app && f.master != "DNS" {
				got = m.Category
			}
			cat.add(got == f.category, f.master+"."+f.app+": "+got+" != "+f.category)
		}
		if f.breed != "" {
			got := breedOf(f.master, f.app)
			brd.add(got == f.breed, f.master+"."+f.app+": "+got+" != "+f.breed)
		}
	}
	cat.report(t, "category", 97)
	brd.report(t, "breed", 99)
}

func TestCanonicalProtocolName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"NetFlix", "NetFlix"},
		{"Netflix", "NetFlix"},
		{"netflix", "NetFlix"},
		{"CustomProtocolA", "CustomProtocolA"},
	}
	for _, tt := range tests {
		if got := canonicalProtocolName(tt.name); got != tt.want {
			t.Errorf("canonicalProtocolName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
