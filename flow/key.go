package flow

import (
	"encoding/binary"
	"net/netip"

	"github.com/flowlens/flowlens/decode"
)

// Key identifies a bidirectional flow: VLAN, IP protocol and the two
// endpoints in canonical order, so that both directions of a conversation
// give the same key. It is a comparable value without pointers, used
// directly as a map key, so the map's keys need no garbage collector
// scanning.
type Key struct {
	VLAN     uint16
	Protocol uint8
	// ipv4 is set when both addresses are IPv4. They are then stored as
	// IPv4-mapped IPv6 addresses, and the flag keeps an IPv6 packet
	// between mapped addresses on a different key.
	ipv4 bool
	// lo:LoPort is the smaller endpoint, hi:HiPort the larger.
	LoPort, HiPort uint16
	lo, hi         [16]byte
}

// keyOf returns the canonical key of a decoded packet, and whether its
// source is the key's Lo endpoint. Both addresses of a packet have the
// same family, so comparing their 16-byte forms orders them as
// netip.Addr.Compare does.
func keyOf(p *decode.Packet) (Key, bool) {
	k := Key{VLAN: p.VLAN, Protocol: p.Protocol, ipv4: p.Src.Is4()}
	src, dst := p.Src.As16(), p.Dst.As16()
	srcIsLo := lessEndpoint(&src, p.SrcPort, &dst, p.DstPort)
	if srcIsLo {
		k.lo, k.LoPort, k.hi, k.HiPort = src, p.SrcPort, dst, p.DstPort
	} else {
		k.lo, k.LoPort, k.hi, k.HiPort = dst, p.DstPort, src, p.SrcPort
	}
	return k, srcIsLo
}

// lessEndpoint orders endpoints by address bytes, then port. Two
// big-endian 64-bit words compare as the 16 bytes do.
func lessEndpoint(a *[16]byte, ap uint16, b *[16]byte, bp uint16) bool {
	if a0, b0 := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(b[:8]); a0 != b0 {
		return a0 < b0
	}
	if a1, b1 := binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:]); a1 != b1 {
		return a1 < b1
	}
	return ap <= bp
}

// LoAddr returns the address of the key's smaller endpoint.
func (k *Key) LoAddr() netip.Addr { return k.addr(&k.lo) }

// HiAddr returns the address of the key's larger endpoint.
func (k *Key) HiAddr() netip.Addr { return k.addr(&k.hi) }

func (k *Key) addr(b *[16]byte) netip.Addr {
	a := netip.AddrFrom16(*b)
	if k.ipv4 {
		return a.Unmap()
	}
	return a
}

// Hash returns a hash of the key that is the same for both directions, for
// spreading flows over workers. It folds the key into 64-bit words and
// mixes them with the multiply and xor-shift steps of the SplitMix64
// finalizer, which spreads every input bit over the whole result.
func (k *Key) Hash() uint64 {
	lo, hi := &k.lo, &k.hi
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

// KeyOf returns the canonical flow key of a decoded packet, and whether
// the packet's source is the key's Lo endpoint. A caller that computes it
// anyway, as the pipeline's reader does to pick a worker, hands both to
// Table.AddKeyed.
func KeyOf(p *decode.Packet) (Key, bool) {
	return keyOf(p)
}
