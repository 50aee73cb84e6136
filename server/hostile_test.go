package server

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// writeCaptureWithSNIs copies the capture src to dst and appends, for each
// name, a copy of the first TLS Client Hello of src with its SNI replaced
// by that name. Each copy comes from its own client port, so it is a flow
// of its own, and follows the last packet of src by 10 ms steps.
func writeCaptureWithSNIs(t *testing.T, src, dst string, names []string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r, err := pcapgo.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := pcapgo.NewWriter(out)
	if err := w.WriteFileHeader(r.Snaplen(), r.LinkType()); err != nil {
		t.Fatal(err)
	}

	var hello gopacket.Packet
	var last time.Time
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
		last = ci.Timestamp
		if hello == nil {
			if p := gopacket.NewPacket(data, r.LinkType(), gopacket.Default); isClientHelloWithSNI(p) {
				hello = p
			}
		}
	}
	if hello == nil {
		t.Fatalf("%s has no TLS Client Hello with an SNI in one segment", src)
	}

	for i, name := range names {
		data := withSNI(t, hello, name, layers.TCPPort(40000+i))
		ts := last.Add(time.Duration(i+1) * 10 * time.Millisecond)
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}, data); err != nil {
			t.Fatal(err)
		}
	}
}

func isClientHelloWithSNI(p gopacket.Packet) bool {
	tcp, ok := p.TransportLayer().(*layers.TCP)
	if !ok {
		return false
	}
	_, _, _, ok = findSNI(tcp.Payload)
	return ok
}

// withSNI returns the Ethernet frame of hello with the SNI replaced by
// name and the source port set to port, with every length and checksum
// fixed.
func withSNI(t *testing.T, hello gopacket.Packet, name string, port layers.TCPPort) []byte {
	t.Helper()
	eth, _ := hello.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	ip4, _ := hello.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	tcp, _ := hello.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if eth == nil || ip4 == nil || tcp == nil {
		t.Fatal("the Client Hello is not TCP over IPv4 over Ethernet")
	}
	payload, ok := replaceSNI(tcp.Payload, name)
	if !ok {
		t.Fatal("the Client Hello's SNI cannot be replaced")
	}
	tcp.SrcPort = port
	if err := tcp.SetNetworkLayerForChecksum(ip4); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip4, tcp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// findSNI returns offsets in a TLS record holding a whole Client Hello
// (RFC 8446, section 4.1.2): where the extensions length is, and where the
// server_name extension (RFC 6066, section 3) starts and ends.
func findSNI(rec []byte) (extsAt, start, end int, ok bool) {
	if len(rec) < 9 || rec[0] != 22 || rec[5] != 1 || int(binary.BigEndian.Uint16(rec[3:]))+5 > len(rec) {
		return 0, 0, 0, false
	}
	off := 9 + 2 + 32 // handshake header, legacy_version, random
	skip := func(lenBytes int) bool {
		if off+lenBytes > len(rec) {
			return false
		}
		n := int(rec[off])
		if lenBytes == 2 {
			n = int(binary.BigEndian.Uint16(rec[off:]))
		}
		off += lenBytes + n
		return off <= len(rec)
	}
	if !skip(1) || !skip(2) || !skip(1) || off+2 > len(rec) { // session ID, cipher suites, compression
		return 0, 0, 0, false
	}
	extsAt = off
	off += 2
	for off+4 <= len(rec) {
		typ, n := binary.BigEndian.Uint16(rec[off:]), int(binary.BigEndian.Uint16(rec[off+2:]))
		if off+4+n > len(rec) {
			return 0, 0, 0, false
		}
		if typ == 0 {
			return extsAt, off, off + 4 + n, true
		}
		off += 4 + n
	}
	return 0, 0, 0, false
}

// replaceSNI returns a copy of the Client Hello record rec whose
// server_name extension holds name alone, with the extension, extensions,
// handshake and record lengths fixed.
func replaceSNI(rec []byte, name string) ([]byte, bool) {
	extsAt, start, end, ok := findSNI(rec)
	if !ok {
		return nil, false
	}
	ext := binary.BigEndian.AppendUint16(nil, 0) // server_name
	ext = binary.BigEndian.AppendUint16(ext, uint16(5+len(name)))
	ext = binary.BigEndian.AppendUint16(ext, uint16(3+len(name))) // server_name_list
	ext = append(ext, 0)                                          // host_name
	ext = binary.BigEndian.AppendUint16(ext, uint16(len(name)))
	ext = append(ext, name...)
	delta := len(ext) - (end - start)

	out := append(append(append([]byte(nil), rec[:start]...), ext...), rec[end:]...)
	binary.BigEndian.PutUint16(out[3:], uint16(int(binary.BigEndian.Uint16(out[3:]))+delta))
	hsLen := int(out[6])<<16 | int(out[7])<<8 | int(out[8]) + delta
	out[6], out[7], out[8] = byte(hsLen>>16), byte(hsLen>>8), byte(hsLen)
	binary.BigEndian.PutUint16(out[extsAt:], uint16(int(binary.BigEndian.Uint16(out[extsAt:]))+delta))
	return out, true
}
