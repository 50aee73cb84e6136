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
	records     int // datagrams made only of well-formed DTLS records
	skipped     int // datagrams that could not be DTLS
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

func (st *dtlsState) claimed() bool { return st.clientHello || st.serverHello || st.records >= 2 }

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
// the datagram is not a sequence of well-formed DTLS records.
func (st *dtlsState) readDatagram(f *Flow, d Direction, b []byte) bool {
	var recs [8]dtlsRecord
	n := 0
	for len(b) > 0 {
		if b[0]&0xe0 == 0x20 {
			break // DTLS 1.3 unified header: an encrypted record
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
	st.records++
	for _, rec := range recs[:n] {
		st.readRecord(f, d, rec)
	}
	return true
}

// readDTLSRecord splits the first record off b.
func readDTLSRecord(b []byte) (dtlsRecord, []byte, bool) {
	var rec dtlsRecord
	r := tlsReader(b)
	var fragment tlsReader
	if !r.u8(&rec.typ) || !r.u16(&rec.version) || !r.u16(&rec.epoch) || !r.skip(6) || !r.vec16(&fragment) {
		return rec, nil, false
	}
	if rec.typ < contentChangeCipherSpec || rec.typ > contentApplicationData || !isDTLSVersion(rec.version) {
		return rec, nil, false
	}
	rec.fragment = fragment
	return rec, r, true
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
