package capture

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestClockNanos(t *testing.T) {
	tests := []struct {
		name       string
		resolution byte
		offset     int64 // seconds
		timestamp  uint64
		want       int64
	}{
		{"microseconds", 6, 0, 1_700_000_000_123_456, 1_700_000_000_123_456_000},
		{"nanoseconds", 9, 0, 1_700_000_000_123_456_789, 1_700_000_000_123_456_789},
		{"milliseconds", 3, 0, 1_700_000_000_123, 1_700_000_000_123_000_000},
		{"seconds", 0, 0, 1_700_000_000, 1_700_000_000_000_000_000},
		{"picoseconds", 12, 0, 1_700_000_000_123_456_789, 1_700_000_000_123_456},
		{"2^-10 seconds", 0x80 | 10, 0, 5<<10 | 512, 5_500_000_000},
		{"2^-30 seconds", 0x80 | 30, 0, 1<<30 | 1<<28, 1_250_000_000},
		{"2^-0 seconds", 0x80, 0, 7, 7_000_000_000},
		{"offset", 6, 3600, 1_000_000, 3601_000_000_000},
		{"negative offset", 9, -1, 2_000_000_000, 1_000_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock, err := newClock(tt.resolution)
			if err != nil {
				t.Fatal(err)
			}
			clock.offset = tt.offset * nanosecondsPerSecond
			if got := clock.nanos(tt.timestamp); got != tt.want {
				t.Errorf("nanos(%d) = %d, want %d", tt.timestamp, got, tt.want)
			}
		})
	}
}

func TestNewClockRejects(t *testing.T) {
	for _, resolution := range []byte{29, 127, 0x80 | 64, 0xff} {
		if _, err := newClock(resolution); err == nil {
			t.Errorf("newClock(%#x) accepted a resolution it cannot convert", resolution)
		}
	}
}

func TestParseInterfaceOptions(t *testing.T) {
	le := binary.LittleEndian
	option := func(code uint16, value ...byte) []byte {
		b := le.AppendUint16(nil, code)
		b = le.AppendUint16(b, uint16(len(value)))
		return append(b, append(value, make([]byte, pad4(len(value))-len(value))...)...)
	}
	tsoffset := le.AppendUint64(nil, 10)
	tests := []struct {
		name    string
		opts    []byte
		want    tsClock
		wantErr string
	}{
		{"none", nil, defaultClock, ""},
		{"if_name then if_tsresol", append(option(2, []byte("eth0")...), option(optIfTsresol, 9)...), tsClock{multiply: 1}, ""},
		{"if_tsoffset before if_tsresol", append(option(optIfTsoffset, tsoffset...), option(optIfTsresol, 9)...), tsClock{multiply: 1, offset: 10e9}, ""},
		{"stops at opt_endofopt", append(option(optEndOfOpt), option(optIfTsresol, 9)...), defaultClock, ""},
		{"length past the block", le.AppendUint16(le.AppendUint16(nil, 2), 40), defaultClock, "runs past the block"},
		{"if_tsresol too long", option(optIfTsresol, 9, 9), defaultClock, "if_tsresol has length 2"},
		{"if_tsoffset too short", option(optIfTsoffset, 1, 2, 3, 4), defaultClock, "if_tsoffset has length 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseInterfaceOptions(le, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("clock = %+v, want %+v", got, tt.want)
			}
		})
	}
}
