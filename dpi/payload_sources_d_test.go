package dpi

import (
	"strings"
	"testing"
)

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

func init() {
	payloadSources = append(payloadSources, []payloadSource{
		{"mqtt/connect-port-17501", "coap_mqtt.pcap", "TCP", 53528, 17501, 2},
		{"mqtt/pingreq", "coap_mqtt.pcap", "TCP", 53523, 17501, 2},
		{"mqtt/publish-from-server", "coap_mqtt.pcap", "TCP", 53524, 17501, 2},
		{"tftp/read-request", "tftp.pcap", "UDP", 50618, 69, 1},
		{"tftp/write-request-options", "tftp.pcap", "UDP", 35840, 69, 1},
		{"tftp/option-ack", "tftp.pcap", "UDP", 35840, 47649, 1},
		{"tftp/data-and-ack", "tftp.pcap", "UDP", 50618, 3445, 4},
		{"someip/tp-segments", "someip-tp.pcap", "UDP", 56772, 18193, 2},
		{"someip/method-call", "someip-udp-method-call.pcapng", "UDP", 49191, 49201, 2},
		{"someip/service-discovery", "someip-udp-method-call.pcapng", "UDP", 49190, 49190, 1},
		{"uftp/v4-announce", "uftp_v4_v5.pcap", "UDP", 37173, 1044, 1},
		{"uftp/v5-announce", "uftp_v4_v5.pcap", "UDP", 37457, 1044, 1},
		{"softether/address-probe", "softether.pcap", "UDP", 51381, 5004, 3},
		{"worldofwarcraft/greeting", "wow.pcap", "TCP", 39329, 3724, 2},
	}...)
}

// portOnlyCases are cases that nDPI names after the port alone, with
// confidence "port": the payload dissectors must leave them unclaimed.
var portOnlyCases = map[string]bool{
	"other/collectd-encrypted": true,
}

// checkProtocolCases runs d alone over every extracted case: a case that
// nDPI gives d's name (as master or alone) from the payload must get
// nDPI's result, in whichever directory it lies, and no other case may be
// claimed.
func checkProtocolCases(t *testing.T, d Dissector) {
	t.Helper()
	e := newEngineWith([]Dissector{d})
	for _, dir := range allPayloadDirs() {
		for _, c := range loadPayloadCases(t, dir) {
			f := e.replayCorpusFlow(c.flow())
			got := f.Master
			if f.App != "" {
				got += "." + f.App
			}
			master, _, _ := strings.Cut(c.want, ".")
			if portOnlyCases[c.name] {
				master = ""
			}
			switch {
			case master == d.Name() && got != c.want:
				t.Errorf("%s: %s got %q, want %q", c.name, d.Name(), got, c.want)
			case master != d.Name() && got != "":
				t.Errorf("%s: %s claimed %q, nDPI says %q", c.name, d.Name(), got, c.want)
			}
		}
	}
}

func init() {
	payloadSources = append(payloadSources, []payloadSource{
		{"coap/ipv6-get", "coap_mqtt.pcap", "UDP", 61043, 5683, 2},
		{"collectd/plain", "collectd.pcap", "UDP", 35988, 25826, 1},
		{"collectd/unknown-part-type", "collectd.pcap", "UDP", 36064, 25826, 1},
		{"other/collectd-encrypted", "collectd.pcap", "UDP", 39576, 25826, 2},
		{"ubntac2/announcement", "ubntac2.pcap", "UDP", 34085, 10001, 1},
		{"socks/v4", "socks.pcap", "TCP", 53533, 1080, 3},
		{"socks/v5-other-port", "socks.pcap", "TCP", 1637, 21477, 3},
		{"telnet/negotiation", "telnet.pcap", "TCP", 1550, 23, 4},
		{"irc/registration", "irc.pcap", "TCP", 45921, 8000, 3},
		{"other/ftp-login", "fuzz-2006-06-26-2594.pcap", "TCP", 2679, 21, 3},
		{"modbus/read-holding", "modbus.pcap", "TCP", 2074, 502, 2},
		{"modbus/umas", "umas.pcap", "TCP", 7718, 502, 2},
		{"ldap/bind", "log4j-webapp-exploit.pcap", "TCP", 57650, 1389, 2},
		{"h323/q931-setup", "h323.pcap", "TCP", 32803, 1720, 1},
		{"h323/h245", "h323.pcap", "TCP", 32804, 1232, 2},
		{"h323/ras", "h323.pcap", "UDP", 2034, 1719, 2},
	}...)
}

func init() {
	payloadSources = append(payloadSources, []payloadSource{
		{"viber/tcp-5242", "viber.pcap", "TCP", 41184, 5242, 2},
		{"viber/tcp-4244", "viber.pcap", "TCP", 42900, 4244, 2},
		{"viber/udp-7985", "viber.pcap", "UDP", 47171, 7985, 2},
		{"other/viber-tcp-by-port", "viber.pcap", "TCP", 33208, 4244, 3},
		{"linecall/first-datagram", "line.pcap", "UDP", 51161, 29070, 2},
		{"linecall/other-server", "line.pcap", "UDP", 50835, 20610, 2},
	}...)
	portOnlyCases["other/viber-tcp-by-port"] = true
}

func init() {
	payloadSources = append(payloadSources, []payloadSource{
		{"thrift/binary-call", "thrift.pcap", "TCP", 53387, 11010, 2},
		{"thrift/compact-oneway", "thrift.pcap", "UDP", 49164, 6831, 1},
		{"teamviewer/tcp", "teamviewer.pcap", "TCP", 35732, 5938, 3},
		{"teamviewer/udp", "teamviewer.pcap", "UDP", 34417, 36037, 3},
		{"usenet/authinfo", "ossfuzz_seed_fake_traces_2.pcapng", "TCP", 55630, 119, 4},
		{"teamspeak/ts3-init", "teamspeak3.pcap", "UDP", 53187, 9987, 2},
	}...)
}

func init() {
	payloadSources = append(payloadSources, []payloadSource{
		{"gaijin/metrics-desktop", "gaijin_warthunder.pcap", "UDP", 37333, 20011, 1},
		{"gaijin/metrics-mobile", "gaijin_mobile_mixed.pcap", "UDP", 42424, 20011, 1},
	}...)
}
