package dpi

import (
	"bytes"
	"strconv"

	"github.com/flowlens/flowlens/record"
)

// DHCP dissects DHCP for IPv4 (RFC 2131, options of RFC 2132) on UDP
// ports 67 and 68, and DHCPv6 (RFC 8415) on UDP ports 546 and 547, named
// "DHCP" and "DHCPV6" as nDPI names them. From the first message a client
// sends it records the host name, the vendor class identifier as class_id,
// and the parameter request list as fingerprint. The fingerprint is the
// requested option codes in decimal, comma-separated, in the client's
// order, as nDPI prints it and as DHCP fingerprint databases match it.
type DHCP struct{}

// Name returns the name of the protocol family's main member.
func (DHCP) Name() string { return "DHCP" }

// Fixed fields of a DHCPv4 message (RFC 2131 section 2) and option codes
// (RFC 2132).
const (
	dhcpServerPort   = 67
	dhcpClientPort   = 68
	dhcpOpRequest    = 1
	dhcpOpReply      = 2
	dhcpSnameOff     = 44
	dhcpFileOff      = 108
	dhcpCookieOff    = 236
	dhcpOptionsOff   = 240
	dhcpMagicCookie  = 0x63825363
	dhcpOptPad       = 0
	dhcpOptHostName  = 12
	dhcpOptOverload  = 52
	dhcpOptParamList = 55
	dhcpOptClassID   = 60
	dhcpOptEnd       = 255
	dhcpScratchKey   = "DHCP"
)

// dhcpState records whether a client message was read already.
type dhcpState struct {
	clientSeen bool
}

// dhcpOptions holds the option values the record uses; they alias the
// message.
type dhcpOptions struct {
	hostName, paramList, classID []byte
	overload                     byte
}

// Inspect reads the first client message of the flow.
func (d DHCP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolUDP {
		return NotMine
	}
	c, s := f.Client.Port(), f.Server.Port()
	switch {
	case c == dhcpServerPort || c == dhcpClientPort || s == dhcpServerPort || s == dhcpClientPort:
		return dhcpInspectV4(f, p.Payload)
	case c == dhcpv6ClientPort || c == dhcpv6ServerPort || s == dhcpv6ClientPort || s == dhcpv6ServerPort:
		return dhcpv6Inspect(f, p.Payload)
	}
	return NotMine
}

func dhcpInspectV4(f *Flow, msg []byte) Verdict {
	c := wireCursor{buf: msg}
	op, _ := c.u8()
	cookie := wireCursor{buf: msg, off: dhcpCookieOff}
	magic, ok := cookie.u32()
	if !ok || magic != dhcpMagicCookie || (op != dhcpOpRequest && op != dhcpOpReply) {
		return dhcpNotThis(f)
	}
	opts, ok := dhcpParseOptions(msg)
	if !ok {
		return dhcpNotThis(f)
	}
	if f.Master == "" {
		f.SetResult("DHCP", "")
	}
	st := Scratch[dhcpState](f, dhcpScratchKey)
	if op != dhcpOpRequest || st.clientSeen {
		return dhcpProgress(st)
	}
	st.clientSeen = true
	dhcpSetRecord(f, string(opts.hostName), dhcpFingerprint(opts.paramList), string(opts.classID))
	return Done
}

// dhcpNotThis rejects a message that does not parse: a flow already
// claimed stays claimed, any other is not DHCP.
func dhcpNotThis(f *Flow) Verdict {
	if f.Master == "" {
		return NotMine
	}
	return dhcpProgress(Scratch[dhcpState](f, dhcpScratchKey))
}

func dhcpProgress(st *dhcpState) Verdict {
	if st.clientSeen {
		return Done
	}
	return Claimed
}

func dhcpSetRecord(f *Flow, hostName, fingerprint, classID string) {
	f.DHCP = &record.DHCP{
		Hostname:    hostName,
		Fingerprint: fingerprint,
		ClassID:     classID,
	}
	if hostName != "" {
		f.Host, f.Info = hostName, hostName
	}
}

// dhcpParseOptions walks the options field and, when option 52 asks for it,
// the file and sname fields that carry more options (RFC 2132 section
// 9.3). It rejects options that overrun their field.
func dhcpParseOptions(msg []byte) (dhcpOptions, bool) {
	var opts dhcpOptions
	if !opts.walk(msg[dhcpOptionsOff:]) {
		return opts, false
	}
	if opts.overload&1 != 0 && !opts.walk(msg[dhcpFileOff:dhcpCookieOff]) {
		return opts, false
	}
	if opts.overload&2 != 0 && !opts.walk(msg[dhcpSnameOff:dhcpFileOff]) {
		return opts, false
	}
	return opts, true
}

func (o *dhcpOptions) walk(field []byte) bool {
	c := wireCursor{buf: field}
	for c.remaining() > 0 {
		code, _ := c.u8()
		switch code {
		case dhcpOptPad:
			continue
		case dhcpOptEnd:
			return true
		}
		length, ok := c.u8()
		if !ok {
			return false
		}
		value, ok := c.bytes(int(length))
		if !ok {
			return false
		}
		o.set(code, value)
	}
	return true // END is missing, which many clients get away with
}

// set keeps the first occurrence of each option.
func (o *dhcpOptions) set(code byte, value []byte) {
	switch code {
	case dhcpOptHostName:
		if o.hostName == nil {
			o.hostName = bytes.TrimRight(value, "\x00")
		}
	case dhcpOptParamList:
		if o.paramList == nil {
			o.paramList = value
		}
	case dhcpOptClassID:
		if o.classID == nil {
			o.classID = bytes.TrimRight(value, "\x00")
		}
	case dhcpOptOverload:
		if len(value) == 1 {
			o.overload = value[0]
		}
	}
}

// dhcpFingerprint writes a parameter request list as comma-separated
// decimal option codes.
func dhcpFingerprint(codes []byte) string {
	if len(codes) == 0 {
		return ""
	}
	out := make([]byte, 0, len(codes)*4)
	for i, code := range codes {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendUint(out, uint64(code), 10)
	}
	return string(out)
}
