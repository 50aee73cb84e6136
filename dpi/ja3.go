package dpi

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
)

// ja3 returns the JA3 fingerprint of a Client Hello: the MD5, in lower-case
// hex, of "version,ciphers,extensions,groups,point_formats" where each list
// is its decimal values joined by "-" in wire order, GREASE values left
// out (Salesforce's JA3 definition).
func ja3(ch *clientHello) string {
	b := make([]byte, 0, 256)
	b = strconv.AppendUint(b, uint64(ch.version), 10)
	b = append(b, ',')
	b = appendJA3List(b, ch.ciphers)
	b = append(b, ',')
	b = appendJA3List(b, ch.extensions)
	b = append(b, ',')
	b = appendJA3List(b, ch.groups)
	b = append(b, ',')
	for i, pf := range ch.pointFormats {
		if i > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(pf), 10)
	}
	return md5Hex(b)
}

// ja3s returns the JA3S fingerprint of a Server Hello: the MD5 of
// "version,cipher,extensions" built as for ja3.
func ja3s(sh *serverHello) string {
	b := make([]byte, 0, 64)
	b = strconv.AppendUint(b, uint64(sh.version), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(sh.cipher), 10)
	b = append(b, ',')
	b = appendJA3List(b, sh.extensions)
	return md5Hex(b)
}

func appendJA3List(b []byte, values []uint16) []byte {
	first := true
	for _, v := range values {
		if isGREASE(v) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return b
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
