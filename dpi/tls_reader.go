package dpi

// tlsReader is a bounds-checked cursor over TLS wire data, following the
// presentation language of RFC 8446 section 3: fixed-width big-endian
// integers and vectors prefixed by a 1, 2 or 3 byte length. Every method
// returns false instead of reading past the end, and then leaves the
// cursor where it was.
type tlsReader []byte

func (r *tlsReader) empty() bool { return len(*r) == 0 }

func (r *tlsReader) u8(v *uint8) bool {
	if len(*r) < 1 {
		return false
	}
	*v = (*r)[0]
	*r = (*r)[1:]
	return true
}

func (r *tlsReader) u16(v *uint16) bool {
	if len(*r) < 2 {
		return false
	}
	*v = uint16((*r)[0])<<8 | uint16((*r)[1])
	*r = (*r)[2:]
	return true
}

func (r *tlsReader) u24(v *int) bool {
	if len(*r) < 3 {
		return false
	}
	*v = int((*r)[0])<<16 | int((*r)[1])<<8 | int((*r)[2])
	*r = (*r)[3:]
	return true
}

func (r *tlsReader) skip(n int) bool {
	if n < 0 || len(*r) < n {
		return false
	}
	*r = (*r)[n:]
	return true
}

// bytes moves the next n bytes into out.
func (r *tlsReader) bytes(n int, out *tlsReader) bool {
	if n < 0 || len(*r) < n {
		return false
	}
	*out = (*r)[:n:n]
	*r = (*r)[n:]
	return true
}

// vec8, vec16 and vec24 move a length-prefixed vector's contents into out.
func (r *tlsReader) vec8(out *tlsReader) bool {
	save := *r
	var n uint8
	if !r.u8(&n) || !r.bytes(int(n), out) {
		*r = save
		return false
	}
	return true
}

func (r *tlsReader) vec16(out *tlsReader) bool {
	save := *r
	var n uint16
	if !r.u16(&n) || !r.bytes(int(n), out) {
		*r = save
		return false
	}
	return true
}

func (r *tlsReader) vec24(out *tlsReader) bool {
	save := *r
	var n int
	if !r.u24(&n) || !r.bytes(n, out) {
		*r = save
		return false
	}
	return true
}

// u16List reads a vector body made only of 16-bit values.
func (r tlsReader) u16List() ([]uint16, bool) {
	if len(r)%2 != 0 {
		return nil, false
	}
	out := make([]uint16, 0, len(r)/2)
	for !r.empty() {
		var v uint16
		r.u16(&v)
		out = append(out, v)
	}
	return out, true
}
