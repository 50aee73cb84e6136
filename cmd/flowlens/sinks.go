package main

import (
	"crypto/rand"
	"encoding/binary"
)

// newRunID returns a random non-zero run ID for flow IDs.
func newRunID() uint32 {
	var b [4]byte
	for {
		rand.Read(b[:])
		if id := binary.BigEndian.Uint32(b[:]); id != 0 {
			return id
		}
	}
}
