package dpi

import "testing"

// TestWebAppCases replays the HTTP flows of testdata/webapps through the
// HTTP dissector and checks the application named from the messages.
// Cases whose application comes from the host name alone expect none.
func TestWebAppCases(t *testing.T) {
	e := newEngineWith([]Dissector{HTTP{}})
	for _, c := range loadPayloadCases(t, "webapps") {
		t.Run(c.name, func(t *testing.T) {
			f := e.replayCorpusFlow(c.flow())
			got := f.Master
			if f.App != "" {
				got += "." + f.App
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestWebRequestApp(t *testing.T) {
	tests := []struct {
		name                     string
		method, target, ua, ctyp string
		want                     string
	}{
		{"propfind", "PROPFIND", "/dav/", "", "", "WebDAV"},
		{"get", "GET", "/dav/", "", "", ""},
		{"ipp", "POST", "/ipp/", "CUPS/2.4", "application/ipp", "IPP"},
		{"ocsp request", "POST", "/", "", "application/ocsp-request", "OCSP"},
		{"gnutella urn", "GET", "/uri-res/N2R?urn:sha1:ABC", "", "", "Gnutella"},
		{"gtk-gnutella", "GET", "/x", "gtk-gnutella/1.2.2", "", "Gnutella"},
		{"dash manifest", "GET", "/live/stream.mpd", "", "", "MpegDash"},
		{"mp4 with query", "GET", "/v.mp4?key=1", "", "", ""},
		{"html", "GET", "/index.html", "Mozilla/5.0", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := httpHead{userAgent: []byte(tt.ua), contentType: []byte(tt.ctyp)}
			h.start = [3][]byte{[]byte(tt.method), []byte(tt.target), []byte("HTTP/1.1")}
			if got := webRequestApp(&h); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWebResponseApp(t *testing.T) {
	tests := []struct {
		name, server, ctyp, want string
	}{
		{"ocsp response", "nginx", "application/ocsp-response", "OCSP"},
		{"dash manifest", "", "application/dash+xml; charset=utf-8", "MpegDash"},
		{"hls playlist", "", "application/vnd.apple.mpegurl", "HLS"},
		{"ntopng", "ntopng 6.1.240606 (x86_64)", "text/html", "ntop"},
		{"html", "nginx", "text/html", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := httpHead{server: []byte(tt.server), contentType: []byte(tt.ctyp)}
			if got := webResponseApp(&h); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWebAppReplacesHostApp checks that an application named from the
// messages wins over the one the host table gave, as in nDPI.
func TestWebAppReplacesHostApp(t *testing.T) {
	f := &Flow{Master: "HTTP", App: "Google", category: "Web"}
	webAppFromResponse(f, &httpHead{server: []byte("ntopng 6.1")})
	if f.App != "ntop" || f.category != "" {
		t.Errorf("app %q category %q, want ntop and none", f.App, f.category)
	}
	rtsp := &Flow{Master: "RTSP"}
	webAppFromRequest(rtsp, &httpHead{start: [3][]byte{[]byte("PROPFIND"), []byte("/"), []byte("HTTP/1.1")}})
	if rtsp.App != "" {
		t.Errorf("RTSP flow got app %q", rtsp.App)
	}
}

func FuzzWebApps(f *testing.F) {
	for _, c := range loadPayloadCases(f, "webapps") {
		for _, p := range c.packets {
			f.Add(p.payload)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if head, ok := httpParseHead(data, 0, httpSplitRequest); ok {
			webRequestApp(&head)
		}
		if head, ok := httpParseHead(data, 0, httpSplitStatus); ok {
			webResponseApp(&head)
		}
	})
}
