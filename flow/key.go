package flow

import (
	"net/netip"

	"github.com/flowlens/flowlens/decode"
)

// Key identifies a bidirectional flow: VLAN, IP protocol and the two
// endpoints in canonical order, so that both directions of a conversation
// give the same key. It is a comparable value, used directly as a map key.
type Key struct {
	VLAN     uint16
	Protocol uint8
	// LoAddr:LoPort is the smaller endpoint, HiAddr:HiPort the larger.
	LoPort, HiPort uint16
	LoAddr, HiAddr netip.Addr
}

// keyOf returns the canonical key of a decoded packet, and whether its
// source is the key's Lo endpoint.
func keyOf(p *decode.Packet) (Key, bool) {
	k := Key{VLAN: p.VLAN, Protocol: p.Protocol}
	srcIsLo := lessEndpoint(p.Src, p.SrcPort, p.Dst, p.DstPort)
	if srcIsLo {
		k.LoAddr, k.LoPort, k.HiAddr, k.HiPort = p.Src, p.SrcPort, p.Dst, p.DstPort
	} else {
		k.LoAddr, k.LoPort, k.HiAddr, k.HiPort = p.Dst, p.DstPort, p.Src, p.SrcPort
	}
	return k, srcIsLo
}

func lessEndpoint(a netip.Addr, ap uint16, b netip.Addr, bp uint16) bool {
	if c := a.Compare(b); c != 0 {
		return c < 0
	}
	return ap <= bp
}

// Hash returns a hash of the key that is the same for both directions, for
// spreading flows over workers. It is FNV-1a over the canonical fields.
func (k *Key) Hash() uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	mix := func(b byte) { h ^= uint64(b); h *= prime }
	lo, hi := k.LoAddr.As16(), k.HiAddr.As16()
	for i := range lo {
		mix(lo[i])
		mix(hi[i])
	}
	mix(byte(k.LoPort))
	mix(byte(k.LoPort >> 8))
	mix(byte(k.HiPort))
	mix(byte(k.HiPort >> 8))
	mix(k.Protocol)
	mix(byte(k.VLAN))
	mix(byte(k.VLAN >> 8))
	return h
}

// KeyOf returns the canonical flow key of a decoded packet.
func KeyOf(p *decode.Packet) Key {
	k, _ := keyOf(p)
	return k
}
