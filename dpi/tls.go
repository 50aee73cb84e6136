package dpi

import "github.com/flowlens/flowlens/record"

// TLS record content types (RFC 8446 section 5.1).
const (
	contentChangeCipherSpec = 20
	contentAlert            = 21
	contentHandshake        = 22
	contentApplicationData  = 23
)

// Handshake message types (RFC 8446 section 4, RFC 5246 section 7.4).
const (
	handshakeClientHello     = 1
	handshakeServerHello     = 2
	handshakeCertificate     = 11
	handshakeServerHelloDone = 14
)

const (
	tlsRecordHeaderLen = 5
	// tlsMaxRecordLen is the largest TLSCiphertext fragment, 2^14 + 2048
	// (RFC 5246 section 6.2.3).
	tlsMaxRecordLen = 1<<14 + 2048
	// tlsMaxHandshakeBuffer caps the handshake bytes kept per direction
	// while a message is incomplete. Certificate chains rarely pass 16 KiB,
	// and the leaf is read as soon as it is whole.
	tlsMaxHandshakeBuffer = 64 << 10
	// tlsMaxPackets bounds how many payload packets the dissector reads
	// before it gives up waiting for the rest of a handshake.
	tlsMaxPackets = 32
)

// TLSDissector recognises TLS (and SSLv3) over TCP and fills Flow.TLS from
// the plaintext part of the handshake: the Client Hello, the Server Hello
// and, before TLS 1.3, the server's leaf certificate. It reads the
// reassembled stream of each direction from its start through the record
// layer of RFC 8446 section 5 (RFC 5246 section 6.2 for TLS 1.2 and
// earlier), so handshake messages may span records and records may span
// segments.
type TLSDissector struct{}

// Name returns "TLS", the protocol name nDPI uses.
func (TLSDissector) Name() string { return "TLS" }

// tlsState is a flow's TLS parsing state, kept with Scratch.
type tlsState struct {
	dir         [2]tlsDirection
	clientHello bool
	serverHello bool
	certificate bool
	// serverDir is the direction the Server Hello came from. The engine's
	// client is the first sender seen, which is not always the TLS client.
	serverDir Direction
	// serverDone is set once nothing more is readable from the server:
	// ServerHelloDone, TLS 1.3 (encrypted from the Server Hello on), or
	// the server's ChangeCipherSpec.
	serverDone bool
	// master is the protocol name to claim the flow with, "TLS" unless
	// StartTLSAt set another.
	master string
}

// tlsDirection is the parsing state of one direction's stream.
type tlsDirection struct {
	start     int    // stream offset of the first record
	offset    int    // stream offset of the next record header
	handshake []byte // handshake bytes not yet consumed as whole messages
	stopped   bool   // encrypted, malformed or over the buffer cap
}

func (st *tlsState) claimed() bool { return st.clientHello || st.serverHello }

// StartTLSAt hands a flow to the TLS dissector in the middle of its
// streams, for protocols that upgrade to TLS (STARTTLS in SMTP, IMAP, POP3
// and FTP, RDP after its X.224 negotiation). client and server are the
// stream offsets where TLS records begin in each direction. master is the
// name the flow is claimed with once a hello is seen ("SMTPS", "IMAPS").
// The caller then passes the flow's packets to TLSDissector.Inspect.
func StartTLSAt(f *Flow, master string, client, server int) {
	st := Scratch[tlsState](f, "TLS")
	st.master = master
	st.dir[ClientToServer] = tlsDirection{start: client, offset: client}
	st.dir[ServerToClient] = tlsDirection{start: server, offset: server}
}

// Inspect reads the records that p completed in either direction.
func (TLSDissector) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != 6 {
		return NotMine
	}
	st := Scratch[tlsState](f, "TLS")
	for _, d := range []Direction{ClientToServer, ServerToClient} {
		if !st.readRecords(f, d) {
			return NotMine
		}
	}
	return st.verdict(f)
}

func (st *tlsState) verdict(f *Flow) Verdict {
	packets := f.Packets[0] + f.Packets[1]
	switch {
	case !st.claimed() && packets >= tlsMaxPackets:
		return NotMine
	case !st.claimed():
		return NeedMore
	case st.clientHello && st.serverHello && (st.certificate || st.serverDone):
		return Done
	case packets >= tlsMaxPackets:
		return Done
	}
	return Claimed
}

// readRecords consumes the whole records buffered in direction d. It
// returns false when the flow cannot be TLS: no hello was seen yet and the
// direction does not start with a handshake or alert record.
func (st *tlsState) readRecords(f *Flow, d Direction) bool {
	s := &st.dir[d]
	stream := f.Stream(d)
	for !s.stopped && len(stream)-s.offset >= tlsRecordHeaderLen {
		rec := stream[s.offset:]
		typ := rec[0]
		version := uint16(rec[1])<<8 | uint16(rec[2])
		n := int(rec[3])<<8 | int(rec[4])
		// A direction opens with a handshake record, or an alert such as a
		// warning-level unrecognized_name sent before the Server Hello.
		opening := s.offset == s.start && typ != contentHandshake && typ != contentAlert
		if !validRecordHeader(typ, version, n) || opening {
			s.stopped = true
			return st.claimed()
		}
		if len(rec) < tlsRecordHeaderLen+n {
			break
		}
		s.offset += tlsRecordHeaderLen + n
		if !st.readRecord(f, d, typ, rec[tlsRecordHeaderLen:tlsRecordHeaderLen+n]) {
			return false
		}
	}
	return true
}

// validRecordHeader checks a TLSPlaintext header: a known content type, a
// 3.x record version from SSLv3 to TLS 1.3 (whose records still carry 3.1
// or 3.3) and a length within the limit.
func validRecordHeader(typ uint8, version uint16, n int) bool {
	return typ >= contentChangeCipherSpec && typ <= contentApplicationData &&
		version>>8 == 3 && version&0xff <= 4 && n > 0 && n <= tlsMaxRecordLen
}

func (st *tlsState) readRecord(f *Flow, d Direction, typ uint8, fragment []byte) bool {
	s := &st.dir[d]
	switch typ {
	case contentHandshake:
		if len(s.handshake)+len(fragment) > tlsMaxHandshakeBuffer {
			s.stopped = true
			return st.claimed()
		}
		s.handshake = append(s.handshake, fragment...)
		return st.readMessages(f, d)
	case contentChangeCipherSpec, contentApplicationData:
		// Handshake records after these are encrypted.
		s.stopped = true
		if st.isServer(d) {
			st.serverDone = true
		}
	}
	return st.claimed()
}

// isServer reports whether d is the direction the Server Hello came from.
func (st *tlsState) isServer(d Direction) bool { return st.serverHello && st.serverDir == d }

// readMessages consumes the whole handshake messages buffered in d. A
// Certificate message is read as soon as its first certificate is whole.
func (st *tlsState) readMessages(f *Flow, d Direction) bool {
	s := &st.dir[d]
	for len(s.handshake) >= 4 {
		typ := s.handshake[0]
		n := int(s.handshake[1])<<16 | int(s.handshake[2])<<8 | int(s.handshake[3])
		if !st.claimed() && typ != handshakeClientHello && typ != handshakeServerHello {
			return false
		}
		if len(s.handshake) < 4+n {
			if typ == handshakeCertificate {
				st.readCertificate(f, s.handshake[4:])
			}
			return true
		}
		if !st.readMessage(f, d, typ, s.handshake[4:4+n]) {
			return false
		}
		s.handshake = s.handshake[4+n:]
	}
	return true
}

func (st *tlsState) readMessage(f *Flow, d Direction, typ uint8, body []byte) bool {
	switch typ {
	case handshakeClientHello:
		if st.clientHello {
			return true // a second hello after HelloRetryRequest
		}
		hadTLS := f.TLS != nil
		t := flowTLS(f)
		if !parseClientHello(body, t, 't') && !readLegacyVersion(body, t) {
			if !hadTLS {
				f.TLS = nil // no "tls": {} in the record of a flow that is not TLS
			}
			return st.claimed()
		}
		st.clientHello = true
		claimTLS(f, st.masterName(), t)
	case handshakeServerHello:
		if st.serverHello {
			return true
		}
		t := flowTLS(f)
		if !parseServerHello(body, t, 't') {
			return st.claimed()
		}
		st.serverHello = true
		st.serverDir = d
		claimTLS(f, st.masterName(), t)
		if t.Version == tlsVersionName(versionTLS13) || t.Version == tlsVersionName(versionFizz) {
			st.serverDone = true
			st.dir[d].stopped = true
		}
	case handshakeCertificate:
		st.readCertificate(f, body)
	case handshakeServerHelloDone:
		st.serverDone = true
	}
	return true
}

// readLegacyVersion fills t.Version from a Client Hello whose vectors do
// not add up (a cipher suite length past the end of the message, as
// broken or hostile clients send) but whose legacy_version field (RFC 8446
// section 4.1.2) names SSL 3.0 to TLS 1.2. The record layer and the
// handshake header around it already parsed, so the flow is TLS; only the
// fields after the version are lost.
func readLegacyVersion(body []byte, t *record.TLS) bool {
	r := tlsReader(body)
	var v uint16
	if !r.u16(&v) || v < versionSSL30 || v > versionTLS12 {
		return false
	}
	if t.Version == "" {
		t.Version = tlsVersionName(v)
	}
	return true
}

func (st *tlsState) readCertificate(f *Flow, body []byte) {
	if st.certificate || f.TLS == nil {
		return
	}
	if cert, ok := parseLeafCertificate(body); ok {
		f.TLS.Cert = cert
		st.certificate = true
	}
}

func (st *tlsState) masterName() string {
	if st.master != "" {
		return st.master
	}
	return "TLS"
}

// flowTLS returns f.TLS, creating it on first use.
func flowTLS(f *Flow) *record.TLS {
	if f.TLS == nil {
		f.TLS = &record.TLS{}
	}
	return f.TLS
}

// claimTLS records master as the flow's protocol and the SNI as its host
// name and summary.
func claimTLS(f *Flow, master string, t *record.TLS) {
	if f.Master != master {
		f.SetResult(master, "")
	}
	if t.SNI != "" {
		f.Host = t.SNI
		f.Info = t.SNI
	}
}
