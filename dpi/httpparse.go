package dpi

import "bytes"

// This file holds the HTTP/1.x message syntax (RFC 9112 sections 2 to 5)
// that the HTTP dissector reads: lines, start lines and header fields.

// httpMethods are the request methods accepted at the start of a client
// stream: RFC 9110's, PATCH (RFC 5789), WebDAV's (RFC 4918, 3253, 5323,
// 4791) and RTSP's (RFC 2326).
var httpMethods = [...]string{
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
	"PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "REPORT", "SEARCH", "MKCALENDAR", "DESCRIBE", "ANNOUNCE",
	"SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER",
	"RECORD", "REDIRECT",
}

func httpKnownMethod(m []byte) bool {
	for _, known := range httpMethods {
		if string(m) == known {
			return true
		}
	}
	return false
}

// httpCouldBeRequest reports whether buf starts with a known method and a
// space, or with a prefix of one while too few bytes arrived to tell.
func httpCouldBeRequest(buf []byte) bool {
	if len(buf) == 0 {
		return false
	}
	for _, m := range httpMethods {
		n := min(len(buf), len(m))
		if string(buf[:n]) == m[:n] && (len(buf) == n || buf[n] == ' ') {
			return true
		}
	}
	return false
}

// httpCouldBeResponse reports whether buf starts with "HTTP/1." or
// "RTSP/1.", or a prefix of them.
func httpCouldBeResponse(buf []byte) bool {
	if len(buf) == 0 {
		return false
	}
	for _, v := range [...]string{"HTTP/1.", "RTSP/1."} {
		n := min(len(buf), len(v))
		if string(buf[:n]) == v[:n] {
			return true
		}
	}
	return false
}

// httpLine returns the line that starts at off without its line ending
// (CRLF or a bare LF), and false when its end has not arrived.
func httpLine(buf []byte, off int) ([]byte, bool) {
	if off < 0 || off > len(buf) {
		return nil, false
	}
	i := bytes.IndexByte(buf[off:], '\n')
	if i < 0 {
		return nil, false
	}
	line := buf[off : off+i]
	return bytes.TrimSuffix(line, []byte("\r")), true
}

// httpLineEndLen returns the length of the line ending at off: 2 for CRLF,
// 1 for LF, 0 for none.
func httpLineEndLen(buf []byte, off int) int {
	switch {
	case off+1 < len(buf) && buf[off] == '\r' && buf[off+1] == '\n':
		return 2
	case off < len(buf) && buf[off] == '\n':
		return 1
	}
	return 0
}

// httpSplitRequest splits a request line into method, target and
// version. It splits at the first and the last space, so that runs of
// spaces (RFC 9112 section 3 lets a recipient accept them) and spaces a
// broken client left in the target do not hide the version.
func httpSplitRequest(line []byte) ([3][]byte, bool) {
	var parts [3][]byte
	first := bytes.IndexByte(line, ' ')
	last := bytes.LastIndexByte(line, ' ')
	if first <= 0 || last <= first {
		return parts, false
	}
	parts[0] = line[:first]
	parts[1] = bytes.Trim(line[first:last], " ")
	parts[2] = line[last+1:]
	return parts, len(parts[1]) > 0
}

// httpSplitStatus splits a status line into version, status code and
// reason phrase; the reason may contain spaces or be missing.
func httpSplitStatus(line []byte) ([3][]byte, bool) {
	var parts [3][]byte
	version, rest, found := bytes.Cut(line, []byte(" "))
	if !found || len(version) == 0 {
		return parts, false
	}
	rest = bytes.TrimLeft(rest, " ")
	code, reason, _ := bytes.Cut(rest, []byte(" "))
	parts[0], parts[1], parts[2] = version, code, reason
	return parts, len(code) > 0
}

// httpSplitFunc splits a start line into its three parts.
type httpSplitFunc func(line []byte) ([3][]byte, bool)

// httpParseHead parses the message head at off: its start line and its
// header section. complete is false while the blank line that ends the
// head has not arrived, unless the head outgrew httpMaxHead.
func httpParseHead(buf []byte, off int, split httpSplitFunc) (httpHead, bool) {
	line, ok := httpLine(buf, off)
	if !ok {
		return httpHead{}, false
	}
	start, ok := split(line)
	if !ok {
		return httpHead{start: start}, true
	}
	off += len(line) + httpLineEndLen(buf, off+len(line))
	head, complete := httpParseFields(buf, off)
	head.start = start
	return head, complete
}

// httpFindStart returns the offset of the first line of buf that is a
// valid start line, or -1. Unless search is set, only the line at offset
// 0 is tried: a stream seen from its start holds a message there.
func httpFindStart(buf []byte, search bool, valid func([3][]byte) bool, split httpSplitFunc) int {
	for off := 0; off < len(buf); {
		line, ok := httpLine(buf, off)
		if !ok {
			return -1
		}
		if parts, ok := split(line); ok && valid(parts) {
			return off
		}
		if !search {
			return -1
		}
		off += len(line) + httpLineEndLen(buf, off+len(line))
	}
	return -1
}

// httpParseFields reads header fields from off up to the empty line that
// ends them. Lines that start with whitespace (obsolete line folding) and
// lines without a colon are skipped.
func httpParseFields(buf []byte, off int) (httpHead, bool) {
	var head httpHead
	startOff := off
	for {
		line, ok := httpLine(buf, off)
		if !ok {
			head.end = len(buf)
			return head, len(buf)-startOff >= httpMaxHead
		}
		off += len(line) + httpLineEndLen(buf, off+len(line))
		if len(line) == 0 {
			head.end = off
			return head, true
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name, value, found := bytes.Cut(line, []byte(":"))
		if found {
			head.setField(name, bytes.Trim(value, " \t"))
		}
	}
}

// setField keeps the first value of each header field the record uses.
func (h *httpHead) setField(name, value []byte) {
	var dst *[]byte
	switch {
	case bytes.EqualFold(name, []byte("Host")):
		dst = &h.host
	case bytes.EqualFold(name, []byte("User-Agent")):
		dst = &h.userAgent
	case bytes.EqualFold(name, []byte("Content-Type")):
		dst = &h.contentType
	case bytes.EqualFold(name, []byte("Server")):
		dst = &h.server
	case bytes.EqualFold(name, []byte("Content-Length")):
		dst = &h.contentLength
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		dst = &h.transferEnc
	default:
		return
	}
	if *dst == nil {
		*dst = value
	}
}

// httpStripPort removes the port from a Host header value: "[::1]:8080"
// becomes "[::1]" and "example.com:8080" becomes "example.com".
func httpStripPort(host []byte) []byte {
	if len(host) > 0 && host[0] == '[' {
		if i := bytes.IndexByte(host, ']'); i > 0 {
			return host[:i+1]
		}
		return host
	}
	i := bytes.LastIndexByte(host, ':')
	if i < 0 || bytes.IndexByte(host[:i], ':') >= 0 {
		return host // no port, or a bare IPv6 address
	}
	for _, c := range host[i+1:] {
		if !httpIsDigit(c) {
			return host
		}
	}
	return host[:i]
}

func httpIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func httpIsAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
