package dpi

const (
	dtlsRecordHeaderLen    = 13
	dtlsHandshakeHeaderLen = 12
	// versionDTLSBad is the pre-standard DTLS version 1.0 that OpenSSL
	// calls DTLS1_BAD_VER, still sent by Cisco AnyConnect.
	versionDTLSBad = 0x0100
	// dtlsMaxSkipped is how many leading datagrams that cannot be DTLS
	// (STUN, RTP and other protocols multiplexed on the same port pair by
	// RFC 7983) the dissector lets pass before it gives up.
	dtlsMaxSkipped = 8
	// dtlsMaxPackets bounds how many datagrams the dissector reads once it
	// has claimed a flow.
	dtlsMaxPackets = 32
	// dtlsMaxMessage caps the size of one reassembled handshake message.
	dtlsMaxMessage = 64 << 10
	// dtlsMaxSeqGap is the largest step between the sequence numbers of
	// two records of one direction and epoch that still counts as one
	// session. Captures lose datagrams, but the numbers of unrelated
	// datagrams are far apart.
	dtlsMaxSeqGap = 4096
	// dtlsMaxCIDLen bounds the connection ID length tried for tls12_cid
	// records. RFC 9146 allows up to 255 bytes, deployments use at most 20.
	dtlsMaxCIDLen = 20
	// contentHeartbeat and contentTLS12CID are the DTLS record types of
	// RFC 6520 and RFC 9146.
	contentHeartbeat = 24
	contentTLS12CID  = 25
)

// DTLSDissector recognises DTLS 1.0, 1.2 and 1.3 over UDP (RFC 6347,
// RFC 9147) and fills Flow.TLS from the plaintext handshake: Client Hello,
// Server Hello and the server's leaf certificate. Handshake messages are
// reassembled from their fragments (RFC 6347 section 4.2.3) as long as the
// fragments of one message arrive in order.
type DTLSDissector struct{}

// Name returns "DTLS", the protocol name nDPI uses.
func (DTLSDissector) Name() string { return "DTLS" }

// dtlsState is a flow's DTLS parsing state, kept with Scratch.
type dtlsState struct {
	dir         [2]dtlsDirection
	clientHello bool
	serverHello bool
	certificate bool
	serverDone  bool
	serverDir   Direction
	skipped     int // datagrams that could not be DTLS
	// session tracks, per direction, the record numbers of datagrams
	// read before any handshake message, for the mid-session rule.
	session [2]dtlsSession
}

// dtlsSession is the evidence one direction gives of a DTLS session whose
// handshake the capture missed: how many datagrams held only records
// whose version, epoch and sequence number follow on from the previous
// ones.
type dtlsSession struct {
	datagrams int
	version   uint16
	epoch     uint16
	seq       uint64
}

// dtlsDirection holds the handshake message being reassembled in one
// direction.
type dtlsDirection struct {
	active  bool
	msgType uint8
	msgSeq  uint16
	length  int
	body    []byte // the contiguous prefix received so far
}

// dtlsRecord is one DTLSPlaintext record (RFC 6347 section 4.1).
type dtlsRecord struct {
	typ      uint8
	version  uint16
	epoch    uint16
	seq      uint64 // 48-bit sequence_number
	fragment []byte
}

// Inspect reads the DTLS records of one datagram.
func (DTLSDissector) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 17 {
		return NotMine
	}
	st := Scratch[dtlsState](f, "DTLS")
	if len(p.Payload) == 0 {
		return st.verdict(f)
	}
	if first := p.Payload[0]; first < 20 || first > 63 {
		// RFC 7983 section 7 gives DTLS the first-byte range 20..63.
		st.skipped++
		if !st.claimed() && st.skipped > dtlsMaxSkipped {
			return NotMine
		}
		return st.verdict(f)
	}
	if !st.readDatagram(f, p.Dir, p.Payload) && !st.claimed() {
		return NotMine
	}
	return st.verdict(f)
}

func (st *dtlsState) claimed() bool {
	return st.clientHello || st.serverHello || st.midSession()
}

// midSession reports whether the flow shows a DTLS session whose
// handshake was not captured. One record header is weak evidence: SNMP,
// syslog or RPC payloads can start with bytes that parse as one. So both
// directions must send at least two consistent datagrams, or, for a
// flow only one side of which was captured, that side at least four.
func (st *dtlsState) midSession() bool {
	a, b := st.session[0].datagrams, st.session[1].datagrams
	return (a >= 2 && b >= 2) || (a >= 4 && b == 0) || (b >= 4 && a == 0)
}

func (st *dtlsState) verdict(f *Flow) Verdict {
	packets := f.Packets[0] + f.Packets[1]
	switch {
	case !st.claimed():
		return NeedMore
	case st.clientHello && st.serverHello && (st.certificate || st.serverDone):
		return Done
	case !st.clientHello && !st.serverHello:
		// Records of a session whose handshake was not captured.
		f.SetResult("DTLS", "")
		return Done
	case packets >= dtlsMaxPackets:
		return Done
	}
	return Claimed
}

// readDatagram reads every record of a datagram. It returns false when
// the datagram is not a sequence of well-formed DTLS records that fills
// it exactly, or, before any handshake message was read, when its records
// do not continue the direction's session.
func (st *dtlsState) readDatagram(f *Flow, d Direction, b []byte) bool {
	var recs [8]dtlsRecord
	n := 0
	for len(b) > 0 {
		if b[0]&0xe0 == 0x20 {
			// A DTLS 1.3 unified header (RFC 9147 section 4) carries an
			// encrypted record; only a handshake makes it plausible.
			if !st.clientHello && !st.serverHello {
				return false
			}
			break
		}
		rec, rest, ok := readDTLSRecord(b)
		if !ok {
			return false
		}
		if n < len(recs) {
			recs[n] = rec
			n++
		}
		b = rest
	}
	if n == 0 {
		return true
	}
	if !st.clientHello && !st.serverHello && !st.hasHandshake(recs[:n]) {
		if !st.session[d].follow(recs[:n]) {
			return false
		}
	}
	for _, rec := range recs[:n] {
		st.readRecord(f, d, rec)
	}
	return true
}

// hasHandshake reports whether records hold a plaintext handshake
// message, which the handshake path judges instead of the session rule.
func (st *dtlsState) hasHandshake(recs []dtlsRecord) bool {
	for _, rec := range recs {
		if rec.typ == contentHandshake && rec.epoch == 0 {
			return true
		}
	}
	return false
}

// follow checks that the records of one datagram continue the
// direction's session and counts the datagram if they do. The version
// must be a standard DTLS one and stay the same, the epoch may only grow
// by one at a time, and within an epoch sequence numbers must increase
// by at most dtlsMaxSeqGap. Application data is never sent in epoch 0
// (RFC 6347 section 4.1).
func (s *dtlsSession) follow(recs []dtlsRecord) bool {
	next := *s
	for i, rec := range recs {
		if !isStandardDTLSVersion(rec.version) || (rec.typ == contentApplicationData && rec.epoch == 0) {
			return false
		}
		if next.datagrams > 0 || i > 0 {
			if !next.continuedBy(rec) {
				return false
			}
		}
		next.version, next.epoch, next.seq = rec.version, rec.epoch, rec.seq
	}
	next.datagrams++
	*s = next
	return true
}

// continuedBy reports whether rec may follow the session's last record.
func (s *dtlsSession) continuedBy(rec dtlsRecord) bool {
	switch {
	case rec.version != s.version:
		return false
	case rec.epoch == s.epoch:
		return rec.seq > s.seq && rec.seq-s.seq <= dtlsMaxSeqGap
	case rec.epoch == s.epoch+1:
		return rec.seq <= dtlsMaxSeqGap // a new epoch restarts the numbers
	}
	return false
}

// readDTLSRecord splits the first record off b (RFC 6347 section 4.1,
// and RFC 9146 section 4 for tls12_cid records).
func readDTLSRecord(b []byte) (dtlsRecord, []byte, bool) {
	var rec dtlsRecord
	r := tlsReader(b)
	var seq, fragment tlsReader
	if !r.u8(&rec.typ) || !r.u16(&rec.version) || !r.u16(&rec.epoch) || !r.bytes(6, &seq) {
		return rec, nil, false
	}
	if rec.typ < contentChangeCipherSpec || rec.typ > contentTLS12CID || !isDTLSVersion(rec.version) {
		return rec, nil, false
	}
	for _, v := range seq {
		rec.seq = rec.seq<<8 | uint64(v)
	}
	if rec.typ == contentTLS12CID {
		return readDTLSCIDRecord(rec, r)
	}
	if !r.vec16(&fragment) {
		return rec, nil, false
	}
	rec.fragment = fragment
	return rec, r, true
}

// readDTLSCIDRecord reads the rest of a tls12_cid record, whose
// connection ID has a length negotiated in the handshake. Without the
// handshake, the record must be the datagram's last: the CID length is
// the one whose length field covers exactly the bytes left.
func readDTLSCIDRecord(rec dtlsRecord, r tlsReader) (dtlsRecord, []byte, bool) {
	for cid := 0; cid <= dtlsMaxCIDLen && cid+2 <= len(r); cid++ {
		n := int(r[cid])<<8 | int(r[cid+1])
		if cid+2+n == len(r) {
			rec.fragment = r[cid+2:]
			return rec, nil, true
		}
	}
	return rec, nil, false
}

// isStandardDTLSVersion reports the versions of RFC 4347, RFC 6347 and
// RFC 9147, without OpenSSL's pre-standard one.
func isStandardDTLSVersion(v uint16) bool {
	return v == versionDTLS10 || v == versionDTLS12 || v == versionDTLS13
}

func isDTLSVersion(v uint16) bool {
	return v == versionDTLS10 || v == versionDTLS12 || v == versionDTLS13 || v == versionDTLSBad
}

func (st *dtlsState) readRecord(f *Flow, d Direction, rec dtlsRecord) {
	switch rec.typ {
	case contentHandshake:
		if rec.epoch == 0 {
			st.readHandshakeFragments(f, d, rec.fragment)
		}
	case contentChangeCipherSpec:
		if st.serverHello && st.serverDir == d {
			st.serverDone = true
		}
	}
}

// readHandshakeFragments reads the handshake fragments of one record
// (RFC 6347 section 4.2.2).
func (st *dtlsState) readHandshakeFragments(f *Flow, d Direction, b tlsReader) {
	for !b.empty() {
		var typ uint8
		var length, offset, fragLen int
		var msgSeq uint16
		var frag tlsReader
		if !b.u8(&typ) || !b.u24(&length) || !b.u16(&msgSeq) || !b.u24(&offset) ||
			!b.u24(&fragLen) || !b.bytes(fragLen, &frag) {
			return
		}
		if body, whole := st.dir[d].add(typ, msgSeq, length, offset, frag); body != nil {
			st.readMessage(f, d, typ, body, whole)
		}
	}
}

// add adds a fragment to the message being reassembled and returns the
// message's contiguous prefix when the fragment extended it, with whole
// set once the message is complete.
func (s *dtlsDirection) add(typ uint8, seq uint16, length, offset int, frag []byte) (body []byte, whole bool) {
	if length > dtlsMaxMessage || offset+len(frag) > length {
		return nil, false
	}
	if !s.active || seq != s.msgSeq || typ != s.msgType {
		if s.active && seq < s.msgSeq {
			return nil, false // retransmission of an older message
		}
		*s = dtlsDirection{active: true, msgType: typ, msgSeq: seq, length: length, body: s.body[:0]}
	}
	if offset > len(s.body) || offset+len(frag) <= len(s.body) {
		return nil, false // a gap, or nothing new
	}
	s.body = append(s.body, frag[len(s.body)-offset:]...)
	return s.body, len(s.body) == s.length
}

func (st *dtlsState) readMessage(f *Flow, d Direction, typ uint8, body []byte, whole bool) {
	switch {
	case typ == handshakeCertificate && !st.certificate && f.TLS != nil:
		if cert, ok := parseLeafCertificate(body); ok {
			f.TLS.Cert = cert
			st.certificate = true
		}
	case !whole:
	case typ == handshakeClientHello && !st.clientHello:
		if parseClientHello(body, flowTLS(f), 'd') {
			st.clientHello = true
			// use_srtp marks WebRTC only where STUN came first.
			stun, _ := f.scratchValue("STUN").(*stunState)
			f.TLS.WebRTC = f.TLS.WebRTC && stun != nil && stun.dtls
			claimTLS(f, "DTLS", f.TLS)
		}
	case typ == handshakeServerHello && !st.serverHello:
		if parseServerHello(body, flowTLS(f), 'd') {
			st.serverHello = true
			st.serverDir = d
			claimTLS(f, "DTLS", f.TLS)
			st.serverDone = f.TLS.Version == tlsVersionName(versionDTLS13)
		}
	case typ == handshakeServerHelloDone:
		st.serverDone = true
	}
}
