package dpi

// Elasticsearch recognises the transport protocol that Elasticsearch
// nodes speak between themselves (TCP port 9300): every message starts
// with the bytes "ES" and a 32-bit big-endian length of the rest, which
// begins with a 64-bit request id, a status byte and a version.
type Elasticsearch struct{}

// Name returns "Elasticsearch".
func (Elasticsearch) Name() string { return "Elasticsearch" }

// Ports returns the transport protocol's port.
func (Elasticsearch) Ports() (tcp, udp []uint16) { return []uint16{9300}, nil }

const (
	esPrefixLen = 6
	// esMinBody is the request id, status and version.
	esMinBody = 13
)

// Inspect checks the first message of the direction that spoke first.
func (Elasticsearch) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	b := f.Stream(p.Dir)
	n, ok := u32At(b, 2)
	if !hasPrefix(b, "ES") || !ok || n < esMinBody || uint64(n)+esPrefixLen > uint64(len(b)) {
		return NotMine
	}
	return claim(f, "Elasticsearch", "")
}
