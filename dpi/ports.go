package dpi

import "sync"

// IP protocol numbers of the transports that have ports.
const (
	ipProtoTCP = 6
	ipProtoUDP = 17
)

type portKey struct {
	proto uint8
	port  uint16
}

// portTable maps a transport port to the protocol nDPI guesses for it.
// Several protocols share a default port. The protocol that lists the port
// earlier among its own ports wins, and on a tie the one later in the
// catalogue (which is sorted by name).
// NOTE: nDPI documents no rule for shared ports. This one reproduces nDPI
// 4.x's guesses in its test captures: TCP 445 gives SMBv23, and TCP 8009
// gives AJP, not CiscoVPN.
var portTable = sync.OnceValue(func() map[portKey]string {
	type choice struct {
		name string
		rank int
	}
	best := map[portKey]choice{}
	offer := func(k portKey, name string, rank int) {
		if c, ok := best[k]; !ok || rank <= c.rank {
			best[k] = choice{name, rank}
		}
	}
	for _, p := range loadCatalog().order {
		for i, port := range p.TCPPorts {
			offer(portKey{ipProtoTCP, port}, p.Name, i)
		}
		for i, port := range p.UDPPorts {
			offer(portKey{ipProtoUDP, port}, p.Name, i)
		}
	}
	m := make(map[portKey]string, len(best))
	for k, c := range best {
		m[k] = c.name
	}
	return m
})

// guessByPort returns the protocol whose default port (for IP protocol
// proto, 6 for TCP or 17 for UDP) is port. The engine uses it for flows no
// dissector claimed, with confidence "port".
func guessByPort(proto uint8, port uint16) (name string, ok bool) {
	name, ok = portTable()[portKey{proto, port}]
	return name, ok
}

// guessByPorts tries the server port first, then the client port, as nDPI
// does when a flow's initiator used a well-known port as its source.
func guessByPorts(proto uint8, serverPort, clientPort uint16) (string, bool) {
	if name, ok := guessByPort(proto, serverPort); ok {
		return name, true
	}
	return guessByPort(proto, clientPort)
}
