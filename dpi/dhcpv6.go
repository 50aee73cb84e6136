package dpi

import (
	"strconv"
)

// DHCPv6 messages (RFC 8415 sections 8, 9 and 21). The DHCP dissector
// reads them on ports 546 and 547.
const (
	dhcpv6ClientPort = 546
	dhcpv6ServerPort = 547

	dhcpv6Solicit       = 1
	dhcpv6Request       = 3
	dhcpv6Confirm       = 4
	dhcpv6Renew         = 5
	dhcpv6Rebind        = 6
	dhcpv6Release       = 8
	dhcpv6Decline       = 9
	dhcpv6InfoRequest   = 11
	dhcpv6RelayForw     = 12
	dhcpv6RelayRepl     = 13
	dhcpv6MaxMsgType    = 36 // the highest type assigned by IANA as of RFC 9686
	dhcpv6RelayHeader   = 34 // msg-type, hop-count, link-address, peer-address
	dhcpv6ClientHeader  = 4  // msg-type, transaction-id
	dhcpv6OptORO        = 6
	dhcpv6OptVendorCls  = 16
	dhcpv6OptClientFQDN = 39
)

// dhcpv6Options holds the option values the record uses; they alias the
// message.
type dhcpv6Options struct {
	oro, vendorClass, fqdn []byte
}

func dhcpv6Inspect(f *Flow, msg []byte) Verdict {
	c := wireCursor{buf: msg}
	msgType, ok := c.u8()
	if !ok || msgType == 0 || msgType > dhcpv6MaxMsgType {
		return dhcpNotThis(f)
	}
	header := dhcpv6ClientHeader
	if msgType == dhcpv6RelayForw || msgType == dhcpv6RelayRepl {
		header = dhcpv6RelayHeader
	}
	if len(msg) < header {
		return dhcpNotThis(f)
	}
	opts, ok := dhcpv6ParseOptions(msg[header:])
	if !ok {
		return dhcpNotThis(f)
	}
	if f.Master == "" {
		f.SetResult("DHCPV6", "")
	}
	st := Scratch[dhcpState](f, dhcpScratchKey)
	if !dhcpv6FromClient(msgType) || st.clientSeen {
		return dhcpProgress(st)
	}
	st.clientSeen = true
	dhcpSetRecord(f, dhcpv6FQDN(opts.fqdn), dhcpv6Fingerprint(opts.oro), dhcpv6VendorClass(opts.vendorClass))
	return Done
}

func dhcpv6FromClient(msgType uint8) bool {
	switch msgType {
	case dhcpv6Solicit, dhcpv6Request, dhcpv6Confirm, dhcpv6Renew, dhcpv6Rebind,
		dhcpv6Release, dhcpv6Decline, dhcpv6InfoRequest:
		return true
	}
	return false
}

// dhcpv6ParseOptions walks the options (RFC 8415 section 21.1), which must
// fill the message exactly.
func dhcpv6ParseOptions(buf []byte) (dhcpv6Options, bool) {
	var opts dhcpv6Options
	c := wireCursor{buf: buf}
	for c.remaining() > 0 {
		code, ok1 := c.u16()
		length, ok2 := c.u16()
		value, ok3 := c.bytes(int(length))
		if !(ok1 && ok2 && ok3) {
			return opts, false
		}
		switch {
		case code == dhcpv6OptORO && opts.oro == nil:
			opts.oro = value
		case code == dhcpv6OptVendorCls && opts.vendorClass == nil:
			opts.vendorClass = value
		case code == dhcpv6OptClientFQDN && opts.fqdn == nil:
			opts.fqdn = value
		}
	}
	return opts, true
}

// dhcpv6FQDN returns the name of a Client FQDN option (RFC 4704 section
// 4): a flags byte, then a name in DNS wire form that may lack its root
// label when the client sends only its host name.
func dhcpv6FQDN(value []byte) string {
	if len(value) < 2 {
		return ""
	}
	var out [dnsMaxNameLen]byte
	n := 0
	c := wireCursor{buf: value, off: 1}
	for c.remaining() > 0 {
		length, _ := c.u8()
		label, ok := c.bytes(int(length))
		if length == 0 || !ok || n+1+len(label) > len(out) {
			break
		}
		if n > 0 {
			out[n] = '.'
			n++
		}
		n += copy(out[n:], label)
	}
	return string(out[:n])
}

// dhcpv6Fingerprint writes an Option Request option's codes as
// comma-separated decimals.
func dhcpv6Fingerprint(oro []byte) string {
	var out []byte
	c := wireCursor{buf: oro}
	for {
		code, ok := c.u16()
		if !ok {
			return string(out)
		}
		if len(out) > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendUint(out, uint64(code), 10)
	}
}

// dhcpv6VendorClass returns the first vendor-class-data item of a Vendor
// Class option (RFC 8415 section 21.16), after its enterprise number.
func dhcpv6VendorClass(value []byte) string {
	c := wireCursor{buf: value}
	if !c.skip(4) {
		return ""
	}
	length, ok := c.u16()
	if !ok {
		return ""
	}
	data, _ := c.bytes(int(length))
	return string(data)
}
