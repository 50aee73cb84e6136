package dpi

import "testing"

func TestNetBIOSCases(t *testing.T) {
	checkPayloadCases(t, NetBIOS{}, "netbios")
}

func TestNetBIOSDecodeName(t *testing.T) {
	// "WORKGROUP" padded with spaces and suffix 0x1d, then the scope.
	workgroup := "\x20FHEPFCELEHFCEPFFFACACACACACACABN"
	tests := []struct {
		name    string
		encoded string
		want    string
		ok      bool
	}{
		{"plain name", workgroup + "\x00", "workgroup", true},
		{"damaged name", "\x20FHEPFCELEHvCEPFFFACACACACACACABN\x00", "workg", true},
		{"wrong length byte", "\x10FHEPFCELEHFCEPFFFACACACACACACABN\x00", "", false},
		{"truncated", "\x20FHEPFCEL", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := nbDecodeName([]byte(tt.encoded))
			if got != tt.want || ok != tt.ok {
				t.Errorf("nbDecodeName = %q, %v, want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNetBIOSInfo(t *testing.T) {
	for _, name := range []string{"testdata/netbios/name-query-1kxun", "testdata/netbios/datagram-smbv1"} {
		c, err := readPayloadCase(name)
		if err != nil {
			t.Fatal(err)
		}
		f := newEngineWith([]Dissector{NetBIOS{}}).replayCorpusFlow(c.flow())
		if f.Info != c.info {
			t.Errorf("%s: info %q, want %q", name, f.Info, c.info)
		}
	}
}

func FuzzNetBIOS(f *testing.F) {
	fuzzDissector(f, NetBIOS{}, "netbios")
}
