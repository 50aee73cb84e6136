package dpi

// init adds the cases of the HTTP applications and of the AVAST, Nintendo
// and Zoom dissectors to the extracted cases, so that every dissector's
// test also replays them as traffic it must not claim.
func init() {
	payloadSources = append(payloadSources, batchDPayloadSources...)
}

var batchDPayloadSources = []payloadSource{
	{"avast/nosa", "avast.pcap", "TCP", 62741, 80, 4},
	{"nintendo/session", "nintendo.pcap", "UDP", 55915, 27520, 2},
	{"nintendo/session-aws-server", "nintendo.pcap", "UDP", 52119, 33335, 2},
	{"other/nintendo-matchmaking", "nintendo.pcap", "UDP", 55915, 33335, 3},
	{"zoom/p2p", "zoom_p2p.pcapng", "UDP", 38453, 41036, 3},
	{"zoom/server", "zoom2.pcap", "UDP", 60653, 8801, 5},

	{"webapps/webdav-mkcol", "webdav.pcap", "TCP", 35612, 80, 2},
	{"webapps/webdav-propfind", "webdav.pcap", "TCP", 50652, 80, 2},
	{"webapps/ipp", "ipp.pcap", "TCP", 55342, 631, 3},
	{"webapps/ocsp", "ocsp.pcapng", "TCP", 49813, 80, 2},
	{"webapps/mpegdash-segment", "mpeg-dash.pcap", "TCP", 59146, 80, 2},
	{"webapps/mpegdash-mp4", "mpeg-dash.pcap", "TCP", 60926, 80, 2},
	{"webapps/gnutella", "gnutella.pcap", "TCP", 50330, 46906, 2},
	{"webapps/ntopng-server", "conncheck.pcap", "TCP", 46980, 80, 2},
	{"webapps/hls", "hls.pcapng", "TCP", 41644, 8080, 2},
	{"webapps/mp4-with-query", "1kxun.pcap", "TCP", 49613, 80, 2},
}
