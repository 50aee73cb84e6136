package dpi

// stunSetApp records app for the flow unless stronger evidence named one.
func stunSetApp(f *Flow, st *stunState, app string, rank int) {
	if app == "" || rank <= st.rank {
		return
	}
	st.rank = rank
	f.App = app
}

// stunAppFromAddress names the application from the published address
// ranges that hold the server, the weakest evidence.
func stunAppFromAddress(f *Flow, st *stunState) {
	if owner, ok := matchIP(f.Server.Addr()); ok {
		stunSetApp(f, st, stunVoIPApps[owner], stunRankAddress)
	}
}

// stunReadAttributes looks for the attributes that name the application:
// vendor attributes of WhatsApp and Microsoft, then the REALM.
func stunReadAttributes(f *Flow, st *stunState, msg, attrs []byte) {
	if stunWhatsApp(msg, attrs) {
		stunSetApp(f, st, "WhatsAppCall", stunRankAttributes)
		return
	}
	for rest := attrs; len(rest) > 0; {
		typ, value, next, ok := stunNextAttribute(rest)
		if !ok {
			return
		}
		rest = next
		switch {
		case stunMicrosoftAttribute(typ):
			stunSetApp(f, st, "Skype_TeamsCall", stunRankAttributes)
		case typ == stunAttrRealm && f.Host == "":
			stunSetRealm(f, st, value)
		}
	}
}

// stunWhatsApp reports whether a message is WhatsApp's. Its calls use
// message types 0x0800-0x0805 and attributes 0x4000-0x4007, which IANA
// has not assigned. Its peer-to-peer checks are Binding messages that
// carry MESSAGE-INTEGRITY alone, while the ICE checks of RFC 8445
// section 7.1 also carry USERNAME, PRIORITY and FINGERPRINT.
func stunWhatsApp(msg, attrs []byte) bool {
	if len(msg) < 2 {
		return false
	}
	msgType := uint16(msg[0])<<8 | uint16(msg[1])
	if msgType >= 0x0800 && msgType <= 0x0805 {
		return true
	}
	typ, _, rest, ok := stunNextAttribute(attrs)
	if ok && len(rest) == 0 && typ == stunAttrMessageIntegrity && (msgType == 0x0001 || msgType == 0x0101) {
		return true
	}
	for rest := attrs; len(rest) > 0; {
		typ, _, next, ok := stunNextAttribute(rest)
		if !ok {
			return false
		}
		if typ >= 0x4000 && typ <= 0x4007 {
			return true
		}
		rest = next
	}
	return false
}

// stunMicrosoftAttribute reports whether typ is one of the attributes
// that Skype and Teams add ([MS-TURN] and [MS-ICE2]): MS-VERSION,
// CANDIDATE-IDENTIFIER, MS-SERVICE-QUALITY and MS-IMPLEMENTATION-VERSION.
func stunMicrosoftAttribute(typ uint16) bool {
	switch typ {
	case 0x8008, 0x8054, 0x8055, 0x8070:
		return true
	}
	return false
}

// stunSetRealm keeps a textual REALM as the flow's host name and names
// the application of a known service from it.
func stunSetRealm(f *Flow, st *stunState, realm []byte) {
	if len(realm) == 0 || len(realm) > stunMaxNameLen {
		return
	}
	for _, c := range realm {
		if c <= ' ' || c >= 0x7f {
			return
		}
	}
	f.Host = string(realm)
	f.Info = f.Host
	if owner, ok := matchHost(f.Host); ok {
		stunSetApp(f, st, stunVoIPApps[owner], stunRankRealm)
	}
}

// stunFollowingMedia renames a STUN flow whose connectivity checks are
// followed by DTLS (RFC 9147 record header) or RTP version 2 (RFC 3550
// section 5.1). As in nDPI, DTLS becomes the master protocol, and RTP
// makes the flow SRTP when the call's application is known, else
// STUN.RTP. It reports whether it renamed the flow.
func stunFollowingMedia(f *Flow, b []byte) bool {
	if len(b) < 12 {
		return false
	}
	if b[0] >= 20 && b[0] <= 23 && b[1] == 0xfe && b[2] >= 0xfc {
		f.Master = "DTLS"
		return true
	}
	// RTCP shares the flow (RFC 5761 section 4) and does not count.
	if b[0]&0xc0 != 0x80 || (b[1] >= 192 && b[1] <= 223) {
		return false
	}
	if f.App != "" {
		f.Master = "SRTP"
	} else {
		f.App = "RTP"
	}
	return true
}
