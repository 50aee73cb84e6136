package dpi

// stream is one direction's TCP byte stream, reassembled in sequence order.
type stream struct {
	buf     []byte
	fromSYN bool
}
