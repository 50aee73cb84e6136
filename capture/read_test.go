package capture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestReadMatchesPcapgo reads each capture with OpenFile and with
// gopacket's pcapgo, and compares every packet. knxip-binary-tsres.pcapng
// is left to TestReadVariantsKeepPackets: pcapgo (gopacket v1.7.7) drops
// the scaling of binary timestamp resolutions finer than 2^-29 seconds.
func TestReadMatchesPcapgo(t *testing.T) {
	tests := []struct {
		file        string
		wantPackets int
		wantLinks   []LinkType // link types seen, in order of first appearance
	}{
		{"cassandra.pcap", 20, []LinkType{LinkTypeEthernet}},
		{"cassandra.pcap.gz", 20, []LinkType{LinkTypeEthernet}},
		{"cassandra-bigendian.pcap", 20, []LinkType{LinkTypeEthernet}},
		{"nfsv3.pcap", 0, []LinkType{LinkTypeEthernet}},
		{"smtp-starttls.pcap", 69, []LinkType{LinkTypeEthernet}},
		{"someip_sd_sample.pcap", 6, []LinkType{192}},
		{"zero-caplen.pcap", 20, []LinkType{LinkTypeEthernet}},
		{"dns.pcap", 5, []LinkType{LinkTypeEthernet}},
		{"tls_invalid_reads.pcap", 12, []LinkType{LinkTypeEthernet}},
		{"knxip.pcapng", 3, []LinkType{LinkTypeEthernet}},
		{"knxip.pcapng.gz", 3, []LinkType{LinkTypeEthernet}},
		{"knxip-bigendian.pcapng", 3, []LinkType{LinkTypeEthernet}},
		{"knxip-obsolete.pcapng", 3, []LinkType{LinkTypeEthernet}},
		{"knxip-tsoffset.pcapng", 3, []LinkType{LinkTypeEthernet}},
		{"http_starting_with_reply.pcapng", 18, []LinkType{LinkTypeEthernet}},
		{"http-simple.pcapng", 18, []LinkType{LinkTypeEthernet}},
		{"kerberos_fuzz.pcapng", 1, []LinkType{LinkTypeIPv4}},
		{"sections.pcapng", 4, []LinkType{LinkTypeIPv4, LinkTypeEthernet}},
		{"mixed-links.pcapng", 4, []LinkType{LinkTypeIPv4, LinkTypeEthernet}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := readAll(t, filepath.Join("testdata", tt.file))
			want := readWithPcapgo(t, filepath.Join("testdata", tt.file))
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("packets differ from pcapgo's (-want +got):\n%s", diff)
			}
			if tt.wantPackets != 0 && len(got) != tt.wantPackets {
				t.Errorf("read %d packets, want %d", len(got), tt.wantPackets)
			}
			if diff := cmp.Diff(tt.wantLinks, linkTypes(got)); diff != "" {
				t.Errorf("link types (-want +got):\n%s", diff)
			}
		})
	}
}

// packet is a Packet with its data copied, for comparisons.
type packet struct {
	Data          []byte
	CaptureLength int
	WireLength    int
	LinkType      LinkType
	Timestamp     int64
}

func readAll(t *testing.T, path string) []packet {
	t.Helper()
	src, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	var out []packet
	var p Packet
	for {
		err := src.ReadPacket(&p)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("after %d packets: %v", len(out), err)
		}
		if len(p.Data) != p.CaptureLength {
			t.Fatalf("packet %d: len(Data) = %d, CaptureLength = %d", len(out), len(p.Data), p.CaptureLength)
		}
		out = append(out, packet{bytes.Clone(p.Data), p.CaptureLength, p.WireLength, p.LinkType, p.Timestamp})
	}
}

// readWithPcapgo reads a capture with gopacket's pcapgo readers.
func readWithPcapgo(t *testing.T, path string) []packet {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = bytes.NewReader(content)
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(r); err != nil {
			t.Fatal(err)
		}
	}
	if bytes.HasPrefix(gunzipPrefix(path, content), pcapngMagic) {
		return readNgWithPcapgo(t, r)
	}

	if !bytes.HasPrefix(content, gzipMagic) && len(content) >= 8 {
		// pcapgo rejects minor versions other than 4, such as the 2.1
		// that nfsv3.pcap has; the record layout is the same.
		content = bytes.Clone(content)
		order, _, _ := pcapByteOrder(content)
		order.PutUint16(content[6:8], 4)
		r = bytes.NewReader(content)
	}
	pr, err := pcapgo.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var out []packet
	for {
		data, ci, err := pr.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("pcapgo: %v", err)
		}
		out = append(out, packet{data, ci.CaptureLength, ci.Length, LinkType(pr.LinkType()), ci.Timestamp.UnixNano()})
	}
}

func readNgWithPcapgo(t *testing.T, r io.Reader) []packet {
	t.Helper()
	nr, err := pcapgo.NewNgReader(r, pcapgo.NgReaderOptions{WantMixedLinkType: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []packet
	for {
		data, ci, err := nr.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("pcapgo: %v", err)
		}
		iface, err := nr.Interface(ci.InterfaceIndex)
		if err != nil {
			t.Fatal(err)
		}
		timestamp := ci.Timestamp.UnixNano()
		if ci.Timestamp.IsZero() {
			timestamp = 0 // a simple packet block has no timestamp
		}
		out = append(out, packet{data, ci.CaptureLength, ci.Length, LinkType(iface.LinkType), timestamp})
	}
}

func gunzipPrefix(path string, content []byte) []byte {
	if !strings.HasSuffix(path, ".gz") {
		return content
	}
	r, err := gzip.NewReader(bytes.NewReader(content))
	if err != nil {
		return nil
	}
	head := make([]byte, 4)
	io.ReadFull(r, head)
	return head
}

func linkTypes(packets []packet) []LinkType {
	var out []LinkType
	for _, p := range packets {
		if !containsLink(out, p.LinkType) {
			out = append(out, p.LinkType)
		}
	}
	return out
}

func containsLink(links []LinkType, link LinkType) bool {
	for _, l := range links {
		if l == link {
			return true
		}
	}
	return false
}

// TestReadVariantsKeepPackets checks the generated variants against the
// real captures they were made from, independently of pcapgo.
func TestReadVariantsKeepPackets(t *testing.T) {
	knx := readAll(t, "testdata/knxip.pcapng")
	tests := []struct {
		variant, original string
		timestamp         func(int64) int64
	}{
		{"cassandra-bigendian.pcap", "cassandra.pcap", same},
		{"cassandra.pcap.gz", "cassandra.pcap", same},
		{"knxip-bigendian.pcapng", "knxip.pcapng", same},
		{"knxip-obsolete.pcapng", "knxip.pcapng", same},
		{"knxip-tsoffset.pcapng", "knxip.pcapng", func(ns int64) int64 { return ns + 86400e9 }},
		{"knxip-binary-tsres.pcapng", "knxip.pcapng", roundToBinary30},
		{"http-simple.pcapng", "http_starting_with_reply.pcapng", func(int64) int64 { return 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			want := readAll(t, filepath.Join("testdata", tt.original))
			for i := range want {
				want[i].Timestamp = tt.timestamp(want[i].Timestamp)
			}
			got := readAll(t, filepath.Join("testdata", tt.variant))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("sections.pcapng", func(t *testing.T) {
		want := append(readAll(t, "testdata/kerberos_fuzz.pcapng"), knx...)
		if diff := cmp.Diff(want, readAll(t, "testdata/sections.pcapng")); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func same(ns int64) int64 { return ns }

// roundToBinary30 rounds a time down to units of 2^-30 seconds and back.
func roundToBinary30(ns int64) int64 {
	units := new(big.Int).Lsh(big.NewInt(ns), 30)
	units.Div(units, big.NewInt(1e9))
	units.Mul(units, big.NewInt(1e9))
	return units.Rsh(units, 30).Int64()
}
