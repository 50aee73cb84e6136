package dpi

import "bytes"

// dropboxLANSyncPort is the UDP port of Dropbox LAN sync discovery.
const dropboxLANSyncPort = 17500

var dropboxHostInt = []byte(`"host_int"`)

// Dropbox recognises the LAN sync discovery broadcasts of the Dropbox
// client: JSON objects sent to UDP port 17500 that carry the client's
// "host_int" id along with its version, port and shared namespaces.
type Dropbox struct{}

// Name returns nDPI's name for the application.
func (Dropbox) Name() string { return "Dropbox" }

// Ports returns the LAN sync port.
func (Dropbox) Ports() (tcp, udp []uint16) { return nil, []uint16{dropboxLANSyncPort} }

// Inspect claims a UDP flow on the LAN sync port whose first datagram is
// a discovery announcement.
func (Dropbox) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 17 || f.Server.Port() != dropboxLANSyncPort {
		return NotMine
	}
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b, dropboxHostInt) {
		return NotMine
	}
	f.SetResult("Dropbox", "")
	return Done
}
