package risk

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// judgeFlow judges what the flow's shape, ports and protocol show.
func (e *Evaluator) judgeFlow(r *record.Flow, _ time.Time, add addFunc) {
	e.judgeDirection(r, add)
	e.judgePort(r, add)
	if isUnsafeBreed(r.Breed) {
		add("unsafe_protocol", fmt.Sprintf("%s is rated %s", r.App, r.Breed))
	}
	for _, app := range []string{r.MasterProtocol, r.AppProtocol} {
		if app != "" && e.desktop[app] {
			add("desktop_or_file_sharing_session", app+" remote desktop or file sharing session")
			break
		}
	}
	e.judgeGoodput(r, add)
}

func isUnsafeBreed(breed string) bool {
	return breed == "Unsafe" || breed == "Potentially Dangerous" || breed == "Dangerous"
}

// judgeDirection reports a flow that carried packets from its client
// only. Traffic to multicast, broadcast and reserved (240.0.0.0/4)
// addresses, and protocols that send one way by design, are exempt.
func (e *Evaluator) judgeDirection(r *record.Flow, add addFunc) {
	if r.C2SPackets == 0 || r.S2CPackets != 0 {
		return
	}
	if e.oneWay[r.MasterProtocol] || (r.AppProtocol != "" && e.oneWay[r.AppProtocol]) {
		return
	}
	server, err := netip.ParseAddr(r.ServerIP)
	if err == nil && isGroupAddress(server) {
		return
	}
	add("unidirectional_traffic", fmt.Sprintf("%d packets from the client and no reply from %s", r.C2SPackets, r.ServerIP))
}

// isGroupAddress reports multicast, limited broadcast, class E and
// addresses ending in .255, which are directed broadcasts on the common
// /24 networks.
// NOTE: without the local netmask a directed broadcast of a wider network
// (10.255.255.255 aside) is not recognised, and a unicast host ending in
// .255 on a wider network is taken for a broadcast.
func isGroupAddress(a netip.Addr) bool {
	if a.IsMulticast() {
		return true
	}
	if a.Is4() {
		b := a.As4()
		return b[0] >= 240 || b[3] == 255
	}
	return false
}

// judgePort reports a protocol identified by DPI on a port that is not
// among its standard ones, on either end (a server that answers from its
// well-known port to a client's well-known port counts as standard).
func (e *Evaluator) judgePort(r *record.Flow, add addFunc) {
	if r.Confidence != "dpi" || (r.L4 != "TCP" && r.L4 != "UDP") || e.anyPort[r.MasterProtocol] {
		return
	}
	ports := e.standardPorts(r.MasterProtocol, r.L4)
	if len(ports) == 0 {
		return
	}
	if slices.Contains(ports, r.ServerPort) || slices.Contains(ports, r.ClientPort) {
		return
	}
	add("known_protocol_on_non_standard_port", fmt.Sprintf("%s on %s port %d, expected on %s",
		r.MasterProtocol, r.L4, r.ServerPort, joinPorts(ports)))
}

func (e *Evaluator) standardPorts(protocol, l4 string) []uint16 {
	tcp, udp, _ := e.ports(protocol)
	ports := udp
	if l4 == "TCP" {
		ports = tcp
	}
	for _, s := range e.extra[protocol] {
		if s.l4 == l4 {
			ports = append(slices.Clip(ports), s.port)
		}
	}
	return ports
}

func joinPorts(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ", ")
}

// Header sizes used to estimate payload: Ethernet, IPv4 without options,
// and TCP with the timestamp option that most stacks send.
const (
	ethernetHeader = 14
	ipv4Header     = 20
	ipv6Header     = 40
	tcpHeader      = 32
	udpHeader      = 8
)

// judgeGoodput reports a flow whose payload, estimated from byte and
// packet counts, is a small share of its bytes: many packets carrying
// little data (keep-alives, retransmissions, a stalled transfer).
// NOTE: the payload is estimated with fixed header sizes, because the
// record has no payload byte counts; options, tunnels and VLAN tags make
// the estimate low.
func (e *Evaluator) judgeGoodput(r *record.Flow, add addFunc) {
	packets := r.C2SPackets + r.S2CPackets
	bytes := r.C2SBytes + r.S2CBytes
	if packets < e.cfg.LowGoodputMinPackets || bytes == 0 {
		return
	}
	per := uint64(ethernetHeader + ipv4Header)
	if r.IPVersion == 6 {
		per = ethernetHeader + ipv6Header
	}
	switch r.L4 {
	case "TCP":
		per += tcpHeader
	case "UDP":
		per += udpHeader
	}
	var payload uint64
	if bytes > packets*per {
		payload = bytes - packets*per
	}
	ratio := float64(payload) / float64(bytes)
	if ratio < e.cfg.LowGoodputRatio {
		add("low_goodput", fmt.Sprintf("about %.0f%% of %d bytes in %d packets is payload", ratio*100, bytes, packets))
	}
}

// portSpec is one transport port, "tcp/443".
type portSpec struct {
	l4   string
	port uint16
}

func parsePortSpec(s string) (l4 string, port uint16, err error) {
	proto, num, ok := strings.Cut(strings.ToLower(s), "/")
	if !ok || (proto != "tcp" && proto != "udp") {
		return "", 0, fmt.Errorf("port %q must be written tcp/N or udp/N", s)
	}
	n, err := strconv.ParseUint(num, 10, 16)
	if err != nil || n == 0 {
		return "", 0, fmt.Errorf("port %q must be written tcp/N or udp/N with N from 1 to 65535", s)
	}
	return strings.ToUpper(proto), uint16(n), nil
}

// builtinPorts holds the standard ports of common protocols, used when no
// PortLookup is given.
func builtinPorts(protocol string) (tcp, udp []uint16, ok bool) {
	p, ok := commonPorts[protocol]
	return p[0], p[1], ok
}

var commonPorts = map[string][2][]uint16{
	"HTTP":        {{80, 8080}, nil},
	"TLS":         {{443}, nil},
	"QUIC":        {nil, {443}},
	"DNS":         {{53}, {53}},
	"SSH":         {{22}, nil},
	"Telnet":      {{23}, nil},
	"FTP_CONTROL": {{21}, nil},
	"SMTP":        {{25, 587}, nil},
	"SMTPS":       {{465, 587}, nil},
	"POP3":        {{110}, nil},
	"POPS":        {{995}, nil},
	"IMAP":        {{143}, nil},
	"IMAPS":       {{993}, nil},
	"NTP":         {nil, {123}},
	"DHCP":        {nil, {67, 68}},
	"SNMP":        {nil, {161, 162}},
	"RDP":         {{3389}, {3389}},
}
