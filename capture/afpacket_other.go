//go:build !linux

package capture

import "errors"

// OpenLive returns an error: live capture uses AF_PACKET, which only
// Linux has. Read a capture file with OpenFile instead.
func OpenLive(iface string, cfg LiveConfig) (StatsSource, error) {
	return nil, errors.New("capture: live capture needs Linux (AF_PACKET); read a capture file instead")
}
