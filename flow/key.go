package flow

import (
	"encoding/binary"
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
// spreading flows over workers. It folds the key into 64-bit words and
// mixes them with the multiply and xor-shift steps of the SplitMix64
// finalizer, which spreads every input bit over the whole result.
func (k *Key) Hash() uint64 {
	lo, hi := k.LoAddr.As16(), k.HiAddr.As16()
	h := uint64(k.VLAN)<<40 | uint64(k.Protocol)<<32 | uint64(k.LoPort)<<16 | uint64(k.HiPort)
	h = mix64(h ^ binary.LittleEndian.Uint64(lo[:8]))
	h = mix64(h ^ binary.LittleEndian.Uint64(lo[8:]))
	h = mix64(h ^ binary.LittleEndian.Uint64(hi[:8]))
	return mix64(h ^ binary.LittleEndian.Uint64(hi[8:]))
}

// mix64 is the output function of the SplitMix64 generator, with its
// constants.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// KeyOf returns the canonical flow key of a decoded packet.
func KeyOf(p *decode.Packet) Key {
	k, _ := keyOf(p)
	return k
}
