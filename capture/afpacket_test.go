//go:build linux

package capture

import "testing"

func TestRingGeometry(t *testing.T) {
	tests := []struct {
		snaplen, ringSize           int
		wantFrame, wantBlock, wantN int
		wantErr                     bool
	}{
		{262144, 64 << 20, 266240, 266240 * 3, 84, false},
		{1514, 64 << 20, 4096, 4096 * 256, 64, false},
		{65535, 8 << 20, 65536, 65536 * 16, 8, false},
		{65535, 2 << 20, 65536, 65536 * 16, 2, false},
		{65535, 2<<20 - 1, 0, 0, 0, true},
		{262144, 1 << 20, 0, 0, 0, true},
		{0, 64 << 20, 0, 0, 0, true},
		{262145, 64 << 20, 0, 0, 0, true},
	}
	for _, tt := range tests {
		frame, block, n, err := ringGeometry(tt.snaplen, tt.ringSize, 4096)
		if (err != nil) != tt.wantErr {
			t.Errorf("ringGeometry(%d, %d) error = %v, want error: %v", tt.snaplen, tt.ringSize, err, tt.wantErr)
			continue
		}
		if err == nil && (frame != tt.wantFrame || block != tt.wantBlock || n != tt.wantN) {
			t.Errorf("ringGeometry(%d, %d) = %d, %d, %d; want %d, %d, %d",
				tt.snaplen, tt.ringSize, frame, block, n, tt.wantFrame, tt.wantBlock, tt.wantN)
		}
	}
}
