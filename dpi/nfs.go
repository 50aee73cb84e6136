package dpi

// NFS recognises ONC RPC calls (RFC 5531 section 9) to the programs that
// make up an NFS service: the port mapper (100000), NFS itself (100003)
// and the mount daemon (100005). A call carries its transaction id, the
// message type CALL (0), RPC version 2 and the program number; over TCP
// it follows the 4-byte record marking of section 11.
type NFS struct{}

// Name returns "NFS".
func (NFS) Name() string { return "NFS" }

// Ports returns NFS's port.
func (NFS) Ports() (tcp, udp []uint16) { return []uint16{2049}, []uint16{2049} }

const (
	rpcMsgCall     = 0
	rpcVersion     = 2
	rpcProgPortmap = 100000
	rpcProgNFS     = 100003
	rpcProgMount   = 100005
	// rpcLastFragment marks the last fragment of a TCP record.
	rpcLastFragment = 1 << 31
)

// Inspect checks the first message of the direction that spoke first.
func (NFS) Inspect(f *Flow, p *Packet) Verdict {
	b := firstPayload(f, p)
	if f.Protocol == ipProtocolTCP {
		marker, ok := u32At(b, 0)
		if !ok || marker&rpcLastFragment == 0 {
			return NotMine
		}
		b = b[4:]
	}
	if !nfsRPCCall(b) {
		return NotMine
	}
	return claim(f, "NFS", "")
}

// nfsRPCCall reports whether b starts an RPC call to one of NFS's programs.
func nfsRPCCall(b []byte) bool {
	c := wireCursor{buf: b}
	_, ok1 := c.u32()
	typ, ok2 := c.u32()
	version, ok3 := c.u32()
	prog, ok4 := c.u32()
	if !ok1 || !ok2 || !ok3 || !ok4 || typ != rpcMsgCall || version != rpcVersion {
		return false
	}
	return prog == rpcProgPortmap || prog == rpcProgNFS || prog == rpcProgMount
}
