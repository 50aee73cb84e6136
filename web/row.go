package web

import (
	"net/netip"

	"github.com/flowlens/flowlens/geo"
	"github.com/flowlens/flowlens/record"
)

// flowRow is one flow as the tables and the details page receive it: the
// flow record plus what the server derives for display.
type flowRow struct {
	Flow *record.Flow `json:"flow"`
	// Duration is last_seen minus first_seen, in seconds.
	Duration float64 `json:"duration_s"`
	// Throughput is only set for active flows, in bits per second.
	Throughput *float64 `json:"throughput_bps,omitempty"`
	Bytes      uint64   `json:"bytes"`
	Encrypted  bool     `json:"encrypted,omitempty"`
	// Cast is "multicast" or "broadcast" when the server address is one.
	Cast      string       `json:"cast,omitempty"`
	ClientGeo geo.Location `json:"client_geo"`
	ServerGeo geo.Location `json:"server_geo"`
}

// encryptedProtocols are master protocols whose payload is encrypted even
// when the record carries no TLS or SSH block.
var encryptedProtocols = map[string]bool{
	"TLS": true, "QUIC": true, "DTLS": true, "SSH": true, "IPSec": true, "OpenVPN": true,
	"WireGuard": true, "Tor": true, "IMAPS": true, "POPS": true, "SMTPS": true, "FTPS": true,
	"DoH_DoT": true, "Signal": true, "Telegram": true, "AnyDesk": true, "TeamViewer": true,
	"RDP": true, "Kerberos": true, "LDAPS": true, "SRTP": true, "Zoom": true,
}

func isEncrypted(f *record.Flow) bool {
	return f.TLS != nil || f.SSH != nil || encryptedProtocols[f.MasterProtocol]
}

var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

func castOf(addr netip.Addr) string {
	switch {
	case addr.IsMulticast():
		return "multicast"
	case addr == limitedBroadcast:
		return "broadcast"
	case addr.Is4() && addr.IsPrivate() && addr.As4()[3] == 255:
		// NOTE: the web server does not know the monitored subnets' masks,
		// so a private .255 address is taken as a /24 subnet broadcast.
		return "broadcast"
	}
	return ""
}

func totalBytes(f *record.Flow) uint64 { return f.C2SBytes + f.S2CBytes }

func duration(f *record.Flow) float64 {
	if f.FirstSeen.IsZero() || f.LastSeen.Before(f.FirstSeen) {
		return 0
	}
	return f.LastSeen.Sub(f.FirstSeen).Seconds()
}

func (s *server) row(f *record.Flow, throughput *float64) flowRow {
	client, _ := netip.ParseAddr(f.ClientIP)
	server, _ := netip.ParseAddr(f.ServerIP)
	return flowRow{
		Flow:       f,
		Duration:   duration(f),
		Throughput: throughput,
		Bytes:      totalBytes(f),
		Encrypted:  isEncrypted(f),
		Cast:       castOf(server.Unmap()),
		ClientGeo:  s.locate(client),
		ServerGeo:  s.locate(server),
	}
}

func (s *server) locate(addr netip.Addr) geo.Location {
	if !addr.IsValid() {
		return geo.Location{}
	}
	return s.geo.Locate(addr)
}

func (s *server) activeRow(a ActiveFlow) flowRow {
	tp := a.Throughput
	return s.row(a.Flow, &tp)
}
