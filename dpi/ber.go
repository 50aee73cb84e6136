package dpi

// BER tags of the universal class (X.690 section 8) used by the
// ASN.1-encoded protocols.
const (
	berInteger     = 0x02
	berOctetString = 0x04
	berSequence    = 0x30
)

// berLength reads a DER or BER definite length (X.690 section 8.1.3) in the short form
// or in the long form of up to four bytes, and returns it with the
// number of bytes it took.
func berLength(b []byte) (n, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, true
	}
	k := int(b[0] & 0x7f)
	if k == 0 || k > 4 || len(b) < 1+k {
		return 0, 0, false
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	return n, 1 + k, true
}
