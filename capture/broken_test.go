package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrokenCaptures checks the error each damaged capture in
// testdata/broken gives, and the packets read before it.
func TestBrokenCaptures(t *testing.T) {
	tests := []struct {
		file          string
		wantOpenErr   bool
		wantPackets   int
		wantTruncated bool
		wantOffset    int64 // -1: the end of the last packet read
		wantReason    string
	}{
		{"empty.pcap", true, 0, true, 0, "too short for a capture header"},
		{"file-header-truncated.pcap", true, 0, true, 0, "file ends inside the pcap file header"},
		{"wrong-magic.pcap", true, 0, false, 0, "unknown capture format"},
		{"record-header-truncated.pcap", false, 1, true, 114, "file ends inside a pcap record header"},
		{"record-body-truncated.pcap", false, 1, true, 114, "file ends inside a pcap record"},
		{"huge-caplen.pcap", false, 2, true, 114, "file ends inside a pcap record that claims 268435456 captured bytes"},
		{"caplen-over-snaplen.pcap", false, 0, false, 24, "exceeds the file's snapshot length 70"},
		{"fuzz-2021-10-13.pcap", false, 1, true, 24, "file ends inside a pcap record that claims 524501 captured bytes"},
		{"truncated.pcap.gz", false, 8, true, -1, "compressed data ends inside a pcap record at byte offset 797 of the data decompressed from"},
		{"block-length-unaligned.pcapng", false, 0, false, 80, "block length 78 is not a multiple of 4"},
		{"block-length-too-small.pcapng", false, 0, false, 304, "block length 8 is less than the minimum"},
		{"block-trailing-mismatch.pcapng", false, 1, false, 400, "trailing block length 92 does not match the block length 88"},
		{"block-past-end.pcapng", false, 2, true, 488, "file ends inside a pcapng block of length 4212"},
		{"section-header-truncated.pcapng", true, 0, true, 0, "file ends inside a pcapng section header block"},
		{"byte-order-magic-wrong.pcapng", true, 0, false, 0, "byte-order magic 04030201"},
		{"block-length-zero.pcapng", false, 0, false, 304, "block length 0 is less than the minimum"},
		{"block-length-huge.pcapng", false, 2, false, 488, "pcapng packet block length 4294967292 exceeds the maximum 1310752"},
		{"block-header-truncated.pcapng", false, 2, true, 488, "file ends inside a pcapng block header"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "broken", tt.file)
			packets, end, err := readUntilError(path)
			if (packets == -1) != tt.wantOpenErr {
				t.Fatalf("OpenFile error = %v, want an error: %v", err, tt.wantOpenErr)
			}
			var formatErr *FormatError
			if !errors.As(err, &formatErr) {
				t.Fatalf("error = %v, want a *FormatError", err)
			}
			if !tt.wantOpenErr && packets != tt.wantPackets {
				t.Errorf("read %d packets before the error, want %d", packets, tt.wantPackets)
			}
			if formatErr.Truncated != tt.wantTruncated {
				t.Errorf("Truncated = %v, want %v", formatErr.Truncated, tt.wantTruncated)
			}
			wantOffset := tt.wantOffset
			if wantOffset == -1 {
				wantOffset = end
			}
			if formatErr.Offset != wantOffset {
				t.Errorf("Offset = %d, want %d", formatErr.Offset, wantOffset)
			}
			if !strings.Contains(err.Error(), tt.wantReason) {
				t.Errorf("error %q does not contain %q", err, tt.wantReason)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %q", err, path)
			}
		})
	}
}

// readUntilError reads a capture up to its first error, returning the
// packets read (-1 when OpenFile fails) and where the last one ended.
func readUntilError(path string) (packets int, end int64, err error) {
	src, err := OpenFile(path)
	if err != nil {
		return -1, 0, err
	}
	defer src.Close()
	var p Packet
	for {
		if err := src.ReadPacket(&p); err != nil {
			return packets, end, err
		}
		packets++
		end = p.Offset + pcapRecordHeaderLen + int64(p.CaptureLength)
	}
}

// TestDamagedRecordsRead checks the damaged captures that read to their
// end: the damage is in one record's lengths or contents, which the
// decoder judges, so the reader delivers every record.
func TestDamagedRecordsRead(t *testing.T) {
	tests := []struct {
		file                   string
		wantCaptured, wantWire int // of the second record, at byte offset 114
	}{
		{"record-zero-length.pcap", 0, 0},
		// A wire length below the captured length is raised to it, so
		// that byte counts never fall below what was captured.
		{"wirelen-below-caplen.pcap", 74, 74},
		{"ip-length-beyond-frame.pcap", 74, 74},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := OpenFile(filepath.Join("testdata", "broken", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var p Packet
			packets := 0
			for {
				err := src.ReadPacket(&p)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("record %d: %v", packets, err)
				}
				if p.Offset == 114 && (p.CaptureLength != tt.wantCaptured || p.WireLength != tt.wantWire) {
					t.Errorf("record at 114: captured %d wire %d, want %d and %d", p.CaptureLength, p.WireLength, tt.wantCaptured, tt.wantWire)
				}
				packets++
			}
			if packets != 20 {
				t.Errorf("read %d packets, want all 20 of cassandra.pcap", packets)
			}
		})
	}
}

func TestOpenFileMissing(t *testing.T) {
	_, err := OpenFile("testdata/no-such-file.pcap")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want os.ErrNotExist", err)
	}
}

// TestReadPacketOffsets checks Packet.Offset against the record layout of
// cassandra.pcap: 24-byte file header, 16-byte record headers.
func TestReadPacketOffsets(t *testing.T) {
	src, err := OpenFile("testdata/cassandra.pcap.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	want := int64(pcapFileHeaderLen)
	var p Packet
	for {
		err := src.ReadPacket(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Offset != want {
			t.Fatalf("Offset = %d, want %d", p.Offset, want)
		}
		want += pcapRecordHeaderLen + int64(p.CaptureLength)
	}
	if size := int64(len(gunzip(t, readTestdata(t, "cassandra.pcap.gz")))); want != size {
		t.Errorf("records end at %d, want the uncompressed size %d", want, size)
	}
}

// TestReadAfterEOF checks that a reader keeps returning io.EOF.
func TestReadAfterEOF(t *testing.T) {
	src, err := newReader("knxip", bytes.NewReader(readTestdata(t, "knxip.pcapng")))
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	for src.ReadPacket(&p) == nil {
	}
	if err := src.ReadPacket(&p); !errors.Is(err, io.EOF) {
		t.Errorf("second read at the end = %v, want io.EOF", err)
	}
}
