package dpi

// registry lists the dissectors in the order they are offered a new flow:
// the most common protocols first. Ports are only a hint: the engine moves
// the dissectors whose usual port matches to the front, but every
// dissector still decides from the payload.
var registry = []Dissector{
	TLSDissector{},
	HTTP{},
	DNS{},
	QUIC{},
	SSH{},
	DHCP{},
	DTLSDissector{},
}
