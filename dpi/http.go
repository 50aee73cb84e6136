package dpi

import (
	"bytes"
	"strconv"

	"github.com/flowlens/flowlens/record"
)

// HTTP dissects HTTP/1.x over TCP (RFC 9112) from the reassembled streams:
// the first request's line and headers, the first response's status line
// and headers, and the count of requests on the connection. A request
// sent before any response came replaces the first, so that the record
// shows the request the first response replies to. Lines may end
// in CRLF or in a bare LF, which RFC 9112 section 2.2 lets a recipient
// accept.
//
// It names the flow as nDPI does: "HTTP_Proxy" for a request whose target
// is in absolute form (a request to a proxy), "HTTP_Connect" for a
// CONNECT request, "RTSP" for RTSP/1.0 (RFC 2326), which shares HTTP's
// message syntax, and "HTTP" otherwise. RTSP flows get no http record,
// so the dissector is done with them once they are named.
type HTTP struct{}

// Name returns the name of the protocol family's main member.
func (HTTP) Name() string { return "HTTP" }

const (
	httpScratchKey = "HTTP"
	// httpMaxHead is the size from which an unfinished header section is
	// parsed as it is instead of waiting for its blank line.
	httpMaxHead = 16 << 10
	// httpMaxChunks bounds the chunks walked to find the end of one body.
	httpMaxChunks = 1024
	// httpReplaceWindow is how many packets after the first request a
	// later request may still replace it, and after a response that named
	// the flow a request may still make it forgotten. nDPI reads eight
	// packets after the one that named the flow, empty ones included.
	httpReplaceWindow = 8
)

// httpState is a flow's progress through its two streams.
type httpState struct {
	// reqDir is the direction that carries the requests: the server's,
	// when the capture started after the request and the roles swapped.
	reqDir Direction
	// reqOff is the offset of the first request in its stream, and next
	// that of the next request to count. Counting stops at the first
	// bytes that are not a request.
	reqOff, next int
	requestDone  bool
	responseDone bool
	stopCounting bool
	// requestSeen is Flow.Seen when the first request was read.
	requestSeen int
	// responseFirst is set when a response named the flow, before any
	// request, and namedSeen is Flow.Seen at that time.
	responseFirst bool
	namedSeen     int
	// respOff is the offset in the response stream from which the kept
	// response is searched.
	respOff int
}

// httpHead is a parsed start line and the header fields the record uses.
// Every slice aliases the stream.
type httpHead struct {
	// For a request: method, target, version. For a response: version,
	// status code, reason.
	start                              [3][]byte
	host, userAgent, contentType       []byte
	server, contentLength, transferEnc []byte
	// end is the offset just after the header section.
	end int
}

// Inspect reads the first request and response once their header
// sections are complete. It keeps returning Claimed after that while later
// requests on the connection can still add to the request count.
func (h HTTP) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	st := Scratch[httpState](f, httpScratchKey)
	if f.Master == "" {
		if v := httpClassify(f, st); v != Claimed {
			return v
		}
	}
	if f.HTTP == nil {
		return Done // RTSP: named, and nothing recorded
	}
	if !st.requestDone {
		httpReadRequest(f, st)
	}
	if !st.responseDone {
		httpReadResponse(f, st)
		if st.responseDone && st.requestDone {
			// Only the request stream is read from here on. A response
			// read before any request stays buffered, because a request
			// that follows it soon replaces it with its own response.
			f.ReleaseStream(1 - st.reqDir)
		}
	}
	if st.requestDone && !st.stopCounting {
		segStart := -1
		if p.Dir == st.reqDir {
			segStart = len(f.Stream(p.Dir)) - len(p.Payload)
		}
		httpCountRequests(f, st, segStart)
	}
	if st.requestDone && st.responseDone && st.stopCounting {
		return Done
	}
	return Claimed
}

// httpClassify decides from the start of the streams whether the flow is
// HTTP-like, and names it from the first complete request line, or from
// a status line when no request is in sight.
func httpClassify(f *Flow, st *httpState) Verdict {
	verdict := NotMine
	for _, d := range [...]Direction{ClientToServer, ServerToClient} {
		buf := f.Stream(d)
		if !httpCouldBeRequest(buf) {
			continue
		}
		line, ok := httpLine(buf, 0)
		if !ok {
			verdict = NeedMore
			continue
		}
		if parts, ok := httpSplitRequest(line); ok && httpIsRequestLine(parts) {
			st.reqDir = d
			return httpNameRequest(f, parts)
		}
	}
	for _, d := range [...]Direction{ServerToClient, ClientToServer} {
		buf := f.Stream(d)
		if !httpCouldBeResponse(buf) {
			continue
		}
		line, ok := httpLine(buf, 0)
		if !ok {
			verdict = NeedMore
			continue
		}
		if parts, ok := httpSplitStatus(line); ok && httpIsStatusLine(parts) {
			st.reqDir = 1 - d
			st.reqOff = -1
			st.responseFirst, st.namedSeen = true, f.Seen
			return httpNameResponse(f, parts)
		}
	}
	return verdict
}

func httpNameRequest(f *Flow, start [3][]byte) Verdict {
	master := "HTTP"
	switch {
	case string(start[2]) == "RTSP/1.0":
		f.SetResult("RTSP", "")
		return Claimed
	case string(start[0]) == "CONNECT":
		master = "HTTP_Connect"
	case httpAbsoluteForm(start[1]):
		master = "HTTP_Proxy"
	}
	f.SetResult(master, "")
	f.HTTP = &record.HTTP{}
	return Claimed
}

func httpNameResponse(f *Flow, start [3][]byte) Verdict {
	if bytes.HasPrefix(start[0], []byte("RTSP/")) {
		f.SetResult("RTSP", "")
		return Claimed
	}
	f.SetResult("HTTP", "")
	f.HTTP = &record.HTTP{}
	return Claimed
}

// httpAbsoluteForm reports whether a request target carries a scheme
// (RFC 9112 section 3.2.2), which only requests to a proxy do.
func httpAbsoluteForm(target []byte) bool {
	i := bytes.Index(target, []byte("://"))
	if i <= 0 {
		return false
	}
	for _, c := range target[:i] {
		if !httpIsAlpha(c) && !httpIsDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func httpVersionValid(v []byte) bool {
	return len(v) == 8 && bytes.HasPrefix(v, []byte("HTTP/")) &&
		httpIsDigit(v[5]) && v[6] == '.' && httpIsDigit(v[7])
}

func httpIsRequestLine(start [3][]byte) bool {
	return httpKnownMethod(start[0]) && len(start[1]) > 0 &&
		(httpVersionValid(start[2]) || string(start[2]) == "RTSP/1.0")
}

func httpIsStatusLine(start [3][]byte) bool {
	_, ok := httpStatus(start[1])
	v := start[0]
	return ok && (httpVersionValid(v) || string(v) == "RTSP/1.0")
}

func httpStatus(code []byte) (int, bool) {
	if len(code) != 3 || !httpIsDigit(code[0]) || !httpIsDigit(code[1]) || !httpIsDigit(code[2]) {
		return 0, false
	}
	return int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0'), true
}

// httpReadRequest reads the first request once its head is complete. When
// the flow was named from a response, the request stream may start in the
// middle of an earlier message, and the first request is searched for.
func httpReadRequest(f *Flow, st *httpState) {
	buf := f.Stream(st.reqDir)
	if st.reqOff < 0 {
		st.reqOff = httpFindStart(buf, !f.StreamStart(st.reqDir), httpIsRequestLine, httpSplitRequest)
		if st.reqOff < 0 {
			return
		}
	}
	head, complete := httpParseHead(buf, st.reqOff, httpSplitRequest)
	if !httpIsRequestLine(head.start) {
		return
	}
	if !complete {
		// Until the blank line arrives the record shows the lines read so
		// far, so that a head that never ends (a damaged message, a lost
		// segment) still names its request, as nDPI's reading does.
		f.HTTP.Requests = 1
		httpKeepRequest(f, &head)
		return
	}
	st.requestDone, st.requestSeen = true, f.Seen
	st.next, st.stopCounting = httpBodyEnd(buf, head, true)
	f.HTTP.Requests = 1
	httpKeepRequest(f, &head)
	if st.responseFirst && f.Seen-st.namedSeen <= httpReplaceWindow {
		httpForgetResponse(f, st)
	}
}

// httpForgetResponse drops the response read before the first request,
// which replied to a request the capture missed, so that the record keeps
// the response to its own request, as nDPI's does.
func httpForgetResponse(f *Flow, st *httpState) {
	st.responseDone = false
	st.respOff = len(f.Stream(1 - st.reqDir))
	f.HTTP.Status, f.HTTP.ContentType, f.HTTP.Server = 0, "", ""
}

// httpKeepRequest fills the record's request fields from head.
func httpKeepRequest(f *Flow, head *httpHead) {
	f.HTTP.Method = string(head.start[0])
	f.HTTP.URL = string(head.start[1])
	f.HTTP.Host = string(httpStripPort(head.host))
	f.HTTP.UserAgent = string(head.userAgent)
	if f.HTTP.Host != "" {
		f.Host, f.Info = f.HTTP.Host, f.HTTP.Host
	}
	webAppFromRequest(f, head)
}

// httpReadResponse reads the first response once its head is complete. A
// stream that does not start at the connection's start may begin inside
// an earlier response's body, so the first status line is searched for.
func httpReadResponse(f *Flow, st *httpState) {
	d := 1 - st.reqDir
	buf := f.Stream(d)
	search := !f.StreamStart(d) || st.respOff > 0
	off := httpFindStart(buf[st.respOff:], search, httpIsStatusLine, httpSplitStatus)
	if off < 0 {
		return
	}
	head, complete := httpParseHead(buf, st.respOff+off, httpSplitStatus)
	if !complete {
		return
	}
	st.responseDone = true
	f.HTTP.Status, _ = httpStatus(head.start[1])
	f.HTTP.ContentType = string(httpMediaType(head.contentType))
	f.HTTP.Server = string(head.server)
	webAppFromResponse(f, &head)
}

// httpMediaType drops the parameters of a Content-Type value
// ("text/html; charset=utf-8" becomes "text/html"), as nDPI prints it.
func httpMediaType(v []byte) []byte {
	if i := bytes.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return bytes.TrimRight(v, " \t")
}

// httpCountRequests counts the complete requests that follow the ones
// counted so far. Anything that is not a request (a tunnel's TLS after
// CONNECT, WebSocket frames after an upgrade, a body whose end is unknown)
// ends the count for good.
//
// A request that starts a new segment before any response arrived, within
// httpReplaceWindow packets of the first, takes the place of the kept
// one. So the record's request is the one its response replies to, and
// nDPI keeps the same request. Either the capture lost the response to
// the one before, or the client did not wait for it.
func httpCountRequests(f *Flow, st *httpState, segStart int) {
	buf := f.Stream(st.reqDir)
	for st.next < len(buf) {
		head, complete := httpParseHead(buf, st.next, httpSplitRequest)
		if !complete {
			if !httpCouldBeRequest(buf[st.next:]) {
				st.stopCounting = true
			}
			return
		}
		if !httpIsRequestLine(head.start) {
			st.stopCounting = true
			return
		}
		if !st.responseDone && st.next == segStart && f.Seen-st.requestSeen <= httpReplaceWindow {
			httpKeepRequest(f, &head)
		}
		f.HTTP.Requests++
		st.next, st.stopCounting = httpBodyEnd(buf, head, true)
		if st.stopCounting {
			return
		}
	}
}

// httpBodyEnd returns the stream offset just after a message's body, and
// stop=true when that end is unknown. A request without Content-Length or
// chunked coding has no body (RFC 9112 section 6.3).
func httpBodyEnd(buf []byte, head httpHead, request bool) (end int, stop bool) {
	if bytes.Contains(bytes.ToLower(head.transferEnc), []byte("chunked")) {
		return httpChunkedEnd(buf, head.end)
	}
	if head.contentLength != nil {
		n, err := strconv.Atoi(string(head.contentLength))
		if err != nil || n < 0 {
			return head.end, true
		}
		return head.end + n, false
	}
	return head.end, !request
}

// httpChunkedEnd walks the chunks of a body in chunked coding (RFC 9112
// section 7.1) that starts at off.
func httpChunkedEnd(buf []byte, off int) (int, bool) {
	for range httpMaxChunks {
		line, ok := httpLine(buf, off)
		if !ok {
			return off, true
		}
		size, ok := httpChunkSize(line)
		if !ok {
			return off, true
		}
		off += len(line) + httpLineEndLen(buf, off+len(line))
		if size == 0 {
			// The trailer section ends with an empty line.
			head, complete := httpParseFields(buf, off)
			return head.end, !complete
		}
		off += size
		off += httpLineEndLen(buf, off)
	}
	return off, true
}

func httpChunkSize(line []byte) (int, bool) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSpace(line)
	n, err := strconv.ParseUint(string(line), 16, 31)
	return int(n), err == nil
}
