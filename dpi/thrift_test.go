package dpi

import "testing"

func TestThriftCases(t *testing.T) {
	checkProtocolCases(t, Thrift{})
}

func TestThriftHeaders(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Verdict
	}{
		{"binary call", "\x80\x01\x00\x01\x00\x00\x00\x04ping\x00\x00\x00\x01", Done},
		{"framed binary call", "\x00\x00\x00\x10\x80\x01\x00\x01\x00\x00\x00\x04ping\x00\x00\x00\x01", Done},
		{"binary bad type", "\x80\x01\x00\x07\x00\x00\x00\x04ping\x00\x00\x00\x01", NotMine},
		{"binary name past end", "\x80\x01\x00\x01\x00\x00\x00\x09ping", NotMine},
		{"binary name with space", "\x80\x01\x00\x01\x00\x00\x00\x04pi g\x00\x00\x00\x01", NotMine},
		{"compact oneway", "\x82\x81\x01\x09emitBatch\x1c", Done},
		{"compact version 2", "\x82\x82\x01\x09emitBatch\x1c", NotMine},
		{"compact name past end", "\x82\x81\x01\x20emitBatch", NotMine},
		{"compact unterminated varint", "\x82\x81\xff\xff\xff\xff\xff\xff", NotMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Flow{Protocol: ipProtocolTCP}
			if got := (Thrift{}).Inspect(f, &Packet{Payload: []byte(tt.payload)}); got != tt.want {
				t.Errorf("verdict %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzThrift(f *testing.F) {
	fuzzDissector(f, Thrift{}, "thrift")
}
