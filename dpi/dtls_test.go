package dpi

import (
	"path/filepath"
	"testing"
)

// TestDTLSMidSessionCaptures replays flows without a captured handshake:
// DTLS sessions that must be claimed, and other protocols whose first
// bytes parse as a DTLS record header or a DTLS 1.3 unified header.
func TestDTLSMidSessionCaptures(t *testing.T) {
	tests := []struct {
		file string
		dtls bool
	}{
		{"mid_session", true},
		{"mid_session_one_way", true},
		{"snmp", false},
		{"syslog", false},
		{"nfs_portmap", false},
		{"wsd", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := &Flow{Protocol: 17}
			verdict := replayDatagrams(f, readTestdata(t, filepath.Join("testdata", "dtls", tt.file+".dgrams.bin")))
			if tt.dtls {
				if verdict != Done || f.Master != "DTLS" {
					t.Errorf("verdict, master = %s, %q, want Done, DTLS", verdictNames[verdict], f.Master)
				}
				return
			}
			if verdict == Claimed || verdict == Done || f.Master != "" {
				t.Errorf("verdict, master = %s, %q, want the flow left unclaimed", verdictNames[verdict], f.Master)
			}
		})
	}
}

func TestDTLSSessionFollow(t *testing.T) {
	app := func(version, epoch uint16, seq uint64) dtlsRecord {
		return dtlsRecord{typ: contentApplicationData, version: version, epoch: epoch, seq: seq}
	}
	tests := []struct {
		name   string
		first  dtlsRecord
		second dtlsRecord
		want   bool
	}{
		{"next sequence number", app(versionDTLS12, 1, 10), app(versionDTLS12, 1, 11), true},
		{"lost datagrams", app(versionDTLS12, 1, 10), app(versionDTLS12, 1, 400), true},
		{"next epoch", app(versionDTLS12, 1, 10), app(versionDTLS12, 2, 0), true},
		{"same sequence number", app(versionDTLS12, 1, 10), app(versionDTLS12, 1, 10), false},
		{"sequence number going back", app(versionDTLS12, 1, 10), app(versionDTLS12, 1, 9), false},
		{"sequence number far ahead", app(versionDTLS12, 1, 10), app(versionDTLS12, 1, 10+dtlsMaxSeqGap+1), false},
		{"epoch skipped", app(versionDTLS12, 1, 10), app(versionDTLS12, 3, 0), false},
		{"epoch going back", app(versionDTLS12, 2, 10), app(versionDTLS12, 1, 11), false},
		{"version changed", app(versionDTLS12, 1, 10), app(versionDTLS10, 1, 11), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s dtlsSession
			if !s.follow([]dtlsRecord{tt.first}) {
				t.Fatalf("first record %+v rejected", tt.first)
			}
			if got := s.follow([]dtlsRecord{tt.second}); got != tt.want {
				t.Errorf("follow(%+v) after %+v = %v, want %v", tt.second, tt.first, got, tt.want)
			}
			wantDatagrams := 1
			if tt.want {
				wantDatagrams = 2
			}
			if s.datagrams != wantDatagrams {
				t.Errorf("datagrams = %d, want %d", s.datagrams, wantDatagrams)
			}
		})
	}
}

func TestDTLSSessionFirstRecord(t *testing.T) {
	tests := []struct {
		name string
		rec  dtlsRecord
		want bool
	}{
		{"application data in epoch 1", dtlsRecord{typ: contentApplicationData, version: versionDTLS12, epoch: 1}, true},
		{"alert in epoch 0", dtlsRecord{typ: contentAlert, version: versionDTLS10, epoch: 0}, true},
		{"application data in epoch 0", dtlsRecord{typ: contentApplicationData, version: versionDTLS12, epoch: 0}, false},
		{"pre-standard version", dtlsRecord{typ: contentApplicationData, version: versionDTLSBad, epoch: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s dtlsSession
			if got := s.follow([]dtlsRecord{tt.rec}); got != tt.want {
				t.Errorf("follow(%+v) = %v, want %v", tt.rec, got, tt.want)
			}
		})
	}
}

func TestReadDTLSRecordLength(t *testing.T) {
	header := []byte{contentApplicationData, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 7}
	tests := []struct {
		name    string
		payload []byte
		ok      bool
	}{
		{"length fills the datagram", append(header[:11:11], 0, 2, 'a', 'b'), true},
		{"length past the datagram", append(header[:11:11], 0, 3, 'a', 'b'), false},
		{"heartbeat record", append([]byte{contentHeartbeat}, append(header[1:11:11], 0, 1, 'a')...), true},
		{"record type 26", append([]byte{26}, append(header[1:11:11], 0, 1, 'a')...), false},
		{"tls12_cid with 4-byte CID", append([]byte{contentTLS12CID}, append(header[1:11:11], 1, 2, 3, 4, 0, 1, 'a')...), true},
		{"tls12_cid with no length that fits", append([]byte{contentTLS12CID}, append(header[1:11:11], 0xff, 0xff, 0xff)...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, rest, ok := readDTLSRecord(tt.payload)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && (len(rest) != 0 || rec.seq != 7) {
				t.Errorf("rest = %x, seq = %d, want no rest and seq 7", rest, rec.seq)
			}
		})
	}
}
