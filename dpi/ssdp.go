package dpi

import (
	"bytes"
	"strings"
)

// ssdpPort is SSDP's multicast port.
const ssdpPort = 1900

// ssdpMaxHost bounds the HOST header copied into the flow's info.
const ssdpMaxHost = 64

var (
	ssdpSearch   = []byte("M-SEARCH * HTTP/1.1\r\n")
	ssdpNotify   = []byte("NOTIFY * HTTP/1.1\r\n")
	ssdpResponse = []byte("HTTP/1.1 200 OK\r\n")
)

// SSDP recognises the Simple Service Discovery Protocol of UPnP (UPnP
// Device Architecture 2.0, section 1): HTTP messages over UDP. Requests
// are M-SEARCH or NOTIFY with the target "*". A unicast search response
// is an HTTP 200 carrying the search target (ST) or the unique service
// name (USN). The flow's info is the HOST header of a request, in lower case as
// nDPI writes host names.
type SSDP struct{}

// Name returns nDPI's name for the protocol.
func (SSDP) Name() string { return "SSDP" }

// Ports returns SSDP's multicast port.
func (SSDP) Ports() (tcp, udp []uint16) { return nil, []uint16{ssdpPort} }

// Inspect claims a UDP flow whose first datagram is an SSDP message.
func (SSDP) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 17 {
		return NotMine
	}
	switch {
	case bytes.HasPrefix(b, ssdpSearch), bytes.HasPrefix(b, ssdpNotify):
		f.SetResult("SSDP", "")
		if host := ssdpHeaderValue(b, "host"); len(host) > 0 && len(host) <= ssdpMaxHost {
			f.Info = strings.ToLower(string(host))
		}
		return Done
	case bytes.HasPrefix(b, ssdpResponse) && (ssdpHeaderValue(b, "st") != nil || ssdpHeaderValue(b, "usn") != nil):
		f.SetResult("SSDP", "")
		return Done
	}
	return NotMine
}

// ssdpHeaderValue returns the value of the first header field called name
// (lower case) in an HTTP message head, without surrounding blanks, or
// nil when the head has no such field.
func ssdpHeaderValue(msg []byte, name string) []byte {
	_, rest, _ := bytes.Cut(msg, []byte("\r\n"))
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		if len(line) == 0 {
			return nil
		}
		key, value, ok := bytes.Cut(line, []byte(":"))
		if ok && len(key) == len(name) && bytes.EqualFold(key, []byte(name)) {
			return bytes.Trim(value, " \t")
		}
	}
	return nil
}
