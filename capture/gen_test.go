package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated files in testdata/")

// TestGeneratedTestdata derives the variants and broken captures in
// testdata/ from the real captures there. With -update it writes them;
// without, it checks that the files on disk are what it would write.
func TestGeneratedTestdata(t *testing.T) {
	for name, content := range generatedFiles(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		onDisk, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestGeneratedTestdata -update)", err)
		}
		if filepath.Ext(name) == ".gz" {
			// Compressed bytes may change with the Go release, so
			// compare the content.
			onDisk, content = gunzip(t, onDisk), gunzip(t, content)
		}
		if !bytes.Equal(onDisk, content) {
			t.Errorf("%s is stale; run go test -run TestGeneratedTestdata -update", path)
		}
	}
}

func generatedFiles(t *testing.T) map[string][]byte {
	pcap := readTestdata(t, "cassandra.pcap")
	knx := parseNg(t, readTestdata(t, "knxip.pcapng"))
	kerberos := parseNg(t, readTestdata(t, "kerberos_fuzz.pcapng"))
	http := parseNg(t, readTestdata(t, "http_starting_with_reply.pcapng"))
	be := binary.BigEndian

	files := map[string][]byte{
		"cassandra.pcap.gz":         gzipBytes(t, pcap),
		"knxip.pcapng.gz":           gzipBytes(t, readTestdata(t, "knxip.pcapng")),
		"cassandra-bigendian.pcap":  swapPcap(pcap),
		"knxip-bigendian.pcapng":    writeNg(be, knx, packetEnhanced),
		"sections.pcapng":           append(readTestdata(t, "kerberos_fuzz.pcapng"), readTestdata(t, "knxip.pcapng")...),
		"mixed-links.pcapng":        writeNg(binary.LittleEndian, mergeNg(kerberos, knx), packetEnhanced),
		"http-simple.pcapng":        writeNg(binary.LittleEndian, http, packetSimple),
		"knxip-obsolete.pcapng":     writeNg(be, knx, packetObsolete),
		"knxip-tsoffset.pcapng":     writeNg(binary.LittleEndian, withTsoffset(knx, 86400), packetEnhanced),
		"knxip-binary-tsres.pcapng": writeNg(binary.LittleEndian, withBinaryResolution(knx, 30), packetEnhanced),
		"zero-caplen.pcap":          setPcapCaplen(pcap, 24, 0, true),
	}
	for name, content := range brokenFiles(t, pcap, readTestdata(t, "knxip.pcapng")) {
		files[filepath.Join("broken", name)] = content
	}
	return files
}

// brokenFiles damages cassandra.pcap (records at offsets 24, 114, 204) and
// knxip.pcapng (blocks at offsets 0, 80, 156, 304, 400, 488).
func brokenFiles(t *testing.T, pcap, ng []byte) map[string][]byte {
	withUint32 := func(b []byte, at int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[at:], v)
		return b
	}
	gz := gzipBytes(t, pcap)
	return map[string][]byte{
		"empty.pcap":                      {},
		"file-header-truncated.pcap":      pcap[:20],
		"record-header-truncated.pcap":    pcap[:114+10],
		"record-body-truncated.pcap":      pcap[:114+16+30],
		"huge-caplen.pcap":                setPcapCaplen(pcap, 114, 1<<28, false),
		"caplen-over-snaplen.pcap":        withUint32(pcap, 16, 70),
		"wrong-magic.pcap":                withUint32(pcap, 0, 0x01020304),
		"truncated.pcap.gz":               gz[:len(gz)/2],
		"block-length-unaligned.pcapng":   withUint32(ng, 80+4, 78),
		"block-length-too-small.pcapng":   withUint32(ng, 304+4, 8),
		"block-trailing-mismatch.pcapng":  withUint32(ng, 400+88-4, 92),
		"block-past-end.pcapng":           withUint32(ng, 488+4, 116+4096),
		"record-zero-length.pcap":         setPcapLengths(pcap, 114, 0, 0),
		"wirelen-below-caplen.pcap":       setPcapLengths(pcap, 114, 74, 10),
		"ip-length-beyond-frame.pcap":     withUint16BE(pcap, 114+16+14+2, 1500),
		"section-header-truncated.pcapng": ng[:20],
		"byte-order-magic-wrong.pcapng":   withUint32(ng, 8, 0x01020304),
		"block-length-zero.pcapng":        withUint32(ng, 304+4, 0),
		"block-length-huge.pcapng":        withUint32(ng, 488+4, 0xFFFFFFFC),
		"block-header-truncated.pcapng":   ng[:488+6],
	}
}

// setPcapLengths sets the captured and wire lengths of the record at off,
// cutting its data to the new captured length.
func setPcapLengths(b []byte, off int, caplen, wirelen uint32) []byte {
	out := setPcapCaplen(b, off, caplen, true)
	binary.LittleEndian.PutUint32(out[off+12:], wirelen)
	return out
}

func withUint16BE(b []byte, at int, v uint16) []byte {
	b = bytes.Clone(b)
	binary.BigEndian.PutUint16(b[at:], v)
	return b
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipBytes(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func gunzip(t *testing.T, b []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// A truncated stream yields what it holds before the cut.
	out, _ := io.ReadAll(r)
	return out
}

// swapPcap rewrites a little-endian pcap file in big-endian byte order.
func swapPcap(b []byte) []byte {
	out := bytes.Clone(b)
	swap := func(at, size int) {
		for i, j := at, at+size-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	for _, f := range [][2]int{{0, 4}, {4, 2}, {6, 2}, {8, 4}, {12, 4}, {16, 4}, {20, 4}} {
		swap(f[0], f[1])
	}
	for off := 24; off+16 <= len(b); {
		caplen := int(binary.LittleEndian.Uint32(b[off+8:]))
		for i := 0; i < 4; i++ {
			swap(off+4*i, 4)
		}
		off += 16 + caplen
	}
	return out
}

// setPcapCaplen sets the captured length of the record at off, cutting
// its data when cut is set.
func setPcapCaplen(b []byte, off int, caplen uint32, cut bool) []byte {
	out := bytes.Clone(b)
	old := int(binary.LittleEndian.Uint32(b[off+8:]))
	binary.LittleEndian.PutUint32(out[off+8:], caplen)
	if cut {
		out = append(out[:off+16+int(caplen)], b[off+16+old:]...)
	}
	return out
}

// ngBlock is an interface or a packet of a parsed little-endian pcapng
// section, kept in file order.
type ngBlock struct {
	iface     bool
	link      uint16
	snaplen   uint32
	tsresol   byte  // 0: no if_tsresol option
	tsoffset  int64 // 0: no if_tsoffset option
	ifaceID   uint32
	timestamp uint64
	wirelen   uint32
	data      []byte
}

// parseNg reads the interfaces and enhanced packets of a little-endian,
// one-section pcapng file. Other blocks and options are dropped.
func parseNg(t *testing.T, b []byte) []ngBlock {
	le := binary.LittleEndian
	var blocks []ngBlock
	for off := 0; off+12 <= len(b); {
		typ, length := le.Uint32(b[off:]), int(le.Uint32(b[off+4:]))
		body := b[off+8 : off+length-4]
		switch typ {
		case blockTypeInterfaceDescription:
			blk := ngBlock{iface: true, link: le.Uint16(body), snaplen: le.Uint32(body[4:])}
			for opt := body[8:]; len(opt) >= 4 && le.Uint16(opt) != 0; {
				n := int(le.Uint16(opt[2:]))
				if le.Uint16(opt) == optIfTsresol {
					blk.tsresol = opt[4]
				}
				opt = opt[4+pad4(n):]
			}
			blocks = append(blocks, blk)
		case blockTypeEnhancedPacket:
			caplen := le.Uint32(body[12:])
			blocks = append(blocks, ngBlock{ifaceID: le.Uint32(body),
				timestamp: uint64(le.Uint32(body[4:]))<<32 | uint64(le.Uint32(body[8:])),
				wirelen:   le.Uint32(body[16:]), data: body[20 : 20+caplen]})
		}
		off += length
	}
	return blocks
}

// mergeNg puts the interfaces and packets of b after those of a, in one
// section, renumbering b's interfaces.
func mergeNg(a, b []ngBlock) []ngBlock {
	shift := uint32(0)
	for _, blk := range a {
		if blk.iface {
			shift++
		}
	}
	out := append([]ngBlock(nil), a...)
	for _, blk := range b {
		if !blk.iface {
			blk.ifaceID += shift
		}
		out = append(out, blk)
	}
	return out
}

func withTsoffset(blocks []ngBlock, seconds int64) []ngBlock {
	out := append([]ngBlock(nil), blocks...)
	for i := range out {
		if out[i].iface {
			out[i].tsoffset = seconds
		}
	}
	return out
}

// withBinaryResolution rewrites every interface to timestamps in units of
// 2^-exponent seconds, converting the packets' timestamps (rounded down).
func withBinaryResolution(blocks []ngBlock, exponent uint) []ngBlock {
	out := append([]ngBlock(nil), blocks...)
	var resolutions []byte
	for i := range out {
		if out[i].iface {
			resolutions = append(resolutions, out[i].tsresol)
			out[i].tsresol = 0x80 | byte(exponent)
			continue
		}
		nanos := decimalNanos(out[i].timestamp, resolutions[out[i].ifaceID])
		units := new(big.Int).Lsh(nanos, exponent)
		out[i].timestamp = units.Div(units, big.NewInt(1e9)).Uint64()
	}
	return out
}

// decimalNanos converts a timestamp in units of 10^-resolution seconds
// (10^-6 when resolution is 0) to nanoseconds.
func decimalNanos(timestamp uint64, resolution byte) *big.Int {
	if resolution == 0 {
		resolution = 6
	}
	n := new(big.Int).SetUint64(timestamp)
	n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(9), nil))
	return n.Div(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(resolution)), nil))
}

type packetKind int

const (
	packetEnhanced packetKind = iota
	packetSimple
	packetObsolete
)

// writeNg writes one pcapng section in the given byte order, with each
// packet in a block of the given kind.
func writeNg(order appendOrder, blocks []ngBlock, kind packetKind) []byte {
	var out []byte
	block := func(typ uint32, body []byte) {
		body = append(body, make([]byte, pad4(len(body))-len(body))...)
		length := uint32(len(body) + blockOverhead)
		out = order.AppendUint32(out, typ)
		out = order.AppendUint32(out, length)
		out = append(out, body...)
		out = order.AppendUint32(out, length)
	}

	shb := order.AppendUint32(nil, byteOrderMagic)
	shb = order.AppendUint16(order.AppendUint16(shb, 1), 0)
	block(blockTypeSectionHeader, order.AppendUint64(shb, ^uint64(0)))
	for _, blk := range blocks {
		switch {
		case blk.iface:
			block(blockTypeInterfaceDescription, interfaceBody(order, blk))
		case kind == packetSimple:
			body := order.AppendUint32(nil, blk.wirelen)
			block(blockTypeSimplePacket, append(body, blk.data...))
		default:
			block(packetBlockType(kind), packetBody(order, blk, kind))
		}
	}
	return out
}

func packetBlockType(kind packetKind) uint32 {
	if kind == packetObsolete {
		return blockTypePacket
	}
	return blockTypeEnhancedPacket
}

func interfaceBody(order appendOrder, blk ngBlock) []byte {
	body := order.AppendUint16(nil, blk.link)
	body = order.AppendUint16(body, 0)
	body = order.AppendUint32(body, blk.snaplen)
	if blk.tsresol != 0 {
		body = order.AppendUint16(body, optIfTsresol)
		body = order.AppendUint16(body, 1)
		body = append(body, blk.tsresol, 0, 0, 0)
	}
	if blk.tsoffset != 0 {
		body = order.AppendUint16(body, optIfTsoffset)
		body = order.AppendUint16(body, 8)
		body = order.AppendUint64(body, uint64(blk.tsoffset))
	}
	return append(body, 0, 0, 0, 0)
}

func packetBody(order appendOrder, blk ngBlock, kind packetKind) []byte {
	var body []byte
	if kind == packetObsolete {
		body = order.AppendUint16(order.AppendUint16(nil, uint16(blk.ifaceID)), 0)
	} else {
		body = order.AppendUint32(nil, blk.ifaceID)
	}
	body = order.AppendUint32(body, uint32(blk.timestamp>>32))
	body = order.AppendUint32(body, uint32(blk.timestamp))
	body = order.AppendUint32(body, uint32(len(blk.data)))
	body = order.AppendUint32(body, blk.wirelen)
	return append(body, blk.data...)
}

// appendOrder is a byte order that appends, as binary.LittleEndian and
// binary.BigEndian do.
type appendOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}
