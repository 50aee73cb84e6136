package dpi

import (
	"bytes"
	"encoding/binary"
)

// zabbixAgentPort and zabbixServerPort are the passive agent's and the
// server's (or proxy's) TCP ports.
const (
	zabbixAgentPort  = 10050
	zabbixServerPort = 10051
)

// Zabbix header (Zabbix manual, "Zabbix protocols", header and data
// length): "ZBXD", a flags byte, then the data length and a reserved or
// uncompressed length, 32 bits little endian each (64 bits each for
// large packets).
const (
	zabbixHeaderLen       = 13
	zabbixFlagProtocol    = 0x01
	zabbixFlagCompressed  = 0x02
	zabbixFlagLargePacket = 0x04
)

var zabbixMagic = []byte("ZBXD")

// Zabbix recognises the Zabbix monitoring protocol between agents,
// proxies and the server.
type Zabbix struct{}

// Name returns nDPI's name for the protocol.
func (Zabbix) Name() string { return "Zabbix" }

// Ports returns the agent and server ports.
func (Zabbix) Ports() (tcp, udp []uint16) {
	return []uint16{zabbixAgentPort, zabbixServerPort}, nil
}

// Inspect claims a TCP flow whose first payload starts with the header.
func (Zabbix) Inspect(f *Flow, p *Packet) Verdict {
	b := p.Payload
	if f.Protocol != 6 || len(b) < zabbixHeaderLen || !bytes.HasPrefix(b, zabbixMagic) {
		return NotMine
	}
	flags := b[4]
	if flags&zabbixFlagProtocol == 0 || flags&^(zabbixFlagProtocol|zabbixFlagCompressed|zabbixFlagLargePacket) != 0 {
		return NotMine
	}
	if flags&zabbixFlagLargePacket == 0 && binary.LittleEndian.Uint32(b[5:9]) == 0 {
		return NotMine
	}
	f.SetResult("Zabbix", "")
	return Done
}
