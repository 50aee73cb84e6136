package dpi

import "bytes"

// This file names the applications that run over HTTP/1.x and show
// themselves in the messages rather than in the host name: a request
// method, a media type, a user agent, a request target or a server
// product. nDPI prefers such a sign to the service behind the host, so a
// match here replaces an application taken from the host table.

// webDAVMethods are the methods WebDAV adds to HTTP (RFC 4918 section 9).
var webDAVMethods = [...]string{
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
}

// mpegDashSuffixes end the request targets of MPEG-DASH media segments
// and manifests (ISO/IEC 23009-1): ".mpd" manifests and ".m4s" or ".mp4"
// segments.
var mpegDashSuffixes = [...]string{".mpd", ".m4s", ".mp4"}

// webAppFromRequest names the application of an HTTP flow from its first
// request's head, and leaves the flow as it is when nothing matches.
func webAppFromRequest(f *Flow, h *httpHead) {
	if app := webRequestApp(h); app != "" {
		webSetApp(f, app)
	}
}

// webAppFromResponse names the application of an HTTP flow from its
// first response's head.
func webAppFromResponse(f *Flow, h *httpHead) {
	if app := webResponseApp(h); app != "" {
		webSetApp(f, app)
	}
}

func webRequestApp(h *httpHead) string {
	method, target := h.start[0], h.start[1]
	switch {
	case webIsDAVMethod(method):
		return "WebDAV"
	case bytes.EqualFold(httpMediaType(h.contentType), []byte("application/ipp")):
		return "IPP" // RFC 8010 section 3.1
	case bytes.EqualFold(httpMediaType(h.contentType), []byte("application/ocsp-request")):
		return "OCSP" // RFC 6960 appendix A.1
	case webIsGnutella(target, h.userAgent):
		return "Gnutella"
	case webIsMpegDash(target):
		return "MpegDash"
	}
	return ""
}

func webResponseApp(h *httpHead) string {
	ct := httpMediaType(h.contentType)
	switch {
	case bytes.EqualFold(ct, []byte("application/ocsp-response")):
		return "OCSP" // RFC 6960 appendix A.1
	case bytes.EqualFold(ct, []byte("application/dash+xml")):
		return "MpegDash"
	case bytes.EqualFold(ct, []byte("application/vnd.apple.mpegurl")):
		return "HLS" // RFC 8216 section 4
	case bytes.HasPrefix(h.server, []byte("ntopng ")):
		return "ntop"
	}
	return ""
}

// webSetApp records app as the flow's application in place of the one
// found from its host, whose category no longer applies.
func webSetApp(f *Flow, app string) {
	if f.Master != "HTTP" || f.App == app {
		return
	}
	f.App, f.category = app, ""
}

func webIsDAVMethod(m []byte) bool {
	for _, dav := range webDAVMethods {
		if string(m) == dav {
			return true
		}
	}
	return false
}

// webIsGnutella reports a Gnutella peer's file request: the Hash/URN
// request targets of the Gnutella 0.6 download protocol, or the user agent
// of gtk-gnutella.
func webIsGnutella(target, userAgent []byte) bool {
	return bytes.HasPrefix(target, []byte("/uri-res/N2R?urn:")) ||
		bytes.HasPrefix(target, []byte("/gnutella/")) ||
		bytes.HasPrefix(userAgent, []byte("gtk-gnutella/"))
}

// webIsMpegDash reports a request target that ends with the suffix of a
// DASH manifest or segment. A target with a query is left alone: the
// players and servers seen fetching plain MP4 files add one.
func webIsMpegDash(target []byte) bool {
	for _, s := range mpegDashSuffixes {
		if bytes.HasSuffix(target, []byte(s)) {
			return true
		}
	}
	return false
}
