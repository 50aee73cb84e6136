package dpi

// payloadSources lists the extracted cases, one directory per protocol.
// The expected result of each case is nDPI's, taken from truth.jsonl.
var payloadSources = []payloadSource{
	// Traffic of protocols outside this group, which no dissector here
	// may claim.
	{"other/dns", "bt-dns.pcap", "UDP", 59751, 53, 2},
	{"other/dtls", "dtls_session_id_and_coockie_both.pcap", "UDP", 50257, 44443, 4},
	{"other/ssh", "ssh_unidirectional.pcap", "TCP", 50306, 22, 3},
	{"other/http", "dotenv.pcap", "TCP", 51327, 80, 2},
	{"other/quic", "quic_q43.pcap", "UDP", 49241, 443, 2},
	{"other/mqtt", "mqtt.pcap", "TCP", 1883, 41892, 4},
	{"other/tls", "tls_alert.pcap", "TCP", 63158, 443, 3},
	{"other/iax", "iax.pcap", "UDP", 4569, 4566, 4},
	{"other/dhcp", "fuzz-2006-06-26-2594.pcap", "UDP", 68, 67, 2},
	{"other/ntp", "tls_certificate_too_long.pcap", "UDP", 49216, 123, 2},

	{"slp/v2-srvrqst", "srvloc.pcap", "UDP", 45163, 427, 1},
	{"slp/v2-srvrply", "srvloc.pcap", "UDP", 40623, 427, 1},
	{"slp/v2-srvreg", "srvloc.pcap", "UDP", 33246, 427, 1},
	{"slp/v2-srvtyperqst", "srvloc.pcap", "UDP", 53106, 427, 1},
	{"slp/v1-srvtyperqst", "srvloc.pcap", "UDP", 60145, 427, 1},

	{"gnutella/tcp-connect", "gnutella.pcap", "TCP", 50284, 53258, 3},
	{"gnutella/udp-g2", "gnutella.pcap", "UDP", 28681, 30577, 2},
	{"gnutella/udp-dht", "gnutella.pcap", "UDP", 28681, 35481, 3},
	{"gnutella/udp-ping-unknown", "gnutella.pcap", "UDP", 28681, 9239, 2},
	{"gnutella/udp-ping-then-dht", "gnutella.pcap", "UDP", 28681, 52367, 2},

	{"dnscrypt/cert-query", "dnscrypt-v1-and-resolver-pings.pcap", "UDP", 35228, 443, 2},
	{"dnscrypt/encrypted-v1", "dnscrypt-v1-and-resolver-pings.pcap", "UDP", 47545, 443, 2},
	{"dnscrypt/encrypted-v2", "dnscrypt-v2.pcap", "UDP", 38650, 5353, 2},

	{"whatsapp/edge", "whatsapp.pcap", "TCP", 49026, 5222, 3},
	{"whatsapp/edge-one-segment", "wa_voice.pcap", "TCP", 49355, 5222, 3},
	{"whatsapp/wa-prologue", "whatsapp_login_chat.pcap", "TCP", 49206, 5222, 3},
	{"whatsapp/wa-prologue-443", "whatsapp_voice_and_message.pcap", "TCP", 35480, 443, 3},

	{"stun/whatsapp-relay", "stun_wa_call.pcapng", "UDP", 49526, 3478, 7},
	{"stun/whatsapp-p2p", "wa_video.pcap", "UDP", 53688, 32641, 7},
	{"stun/whatsapp-srtp", "wa_voice.pcap", "UDP", 32704, 56328, 8},
	{"stun/teams", "teams.pcap", "UDP", 50016, 3478, 7},
	{"stun/teams-tcp", "stun.pcap", "TCP", 41588, 42000, 7},
	{"stun/signal-realm", "stun_signal.pcapng", "UDP", 43068, 3478, 7},
	{"stun/google-address", "stun_google_meet.pcapng", "UDP", 45400, 3478, 7},
	{"stun/classic-rtp", "stun_classic.pcap", "UDP", 55050, 13958, 7},
	{"stun/zoom-classic", "zoom_p2p.pcapng", "UDP", 38453, 3478, 3},
	{"stun/plain", "stun.pcap", "UDP", 56880, 3478, 7},
	{"stun/tcp-several-messages", "stun_tcp_multiple_msgs_same_pkt.pcap", "TCP", 3479, 42849, 5},
	{"stun/dtls-after", "stun.pcap", "UDP", 49153, 3478, 17},
	{"stun/zoom-dtls", "stun.pcap", "UDP", 48854, 8801, 4},

	{"netbios/name-query", "netbios.pcap", "UDP", 57836, 137, 2},
	{"netbios/name-query-1kxun", "1kxun.pcap", "UDP", 59461, 137, 1},
	{"netbios/datagram-smbv1", "1kxun.pcap", "UDP", 138, 138, 2},

	{"ssdp/m-search", "ssdp-m-search-ua.pcap", "UDP", 56446, 1900, 1},
	{"ssdp/notify-ipv6", "1kxun.pcap", "UDP", 1900, 1900, 1},
	{"ssdp/search-response", "anyconnect-vpn.pcap", "UDP", 1900, 57547, 1},

	{"kerberos/udp-tgs", "kerberos-login.pcap", "UDP", 1074, 88, 2},
	{"kerberos/tcp-as", "kerberos-login.pcap", "TCP", 44256, 88, 4},
	{"kerberos/tcp-ap", "kerberos.pcap", "TCP", 49171, 88, 2},

	{"syslog/udp-bsd", "syslog.pcap", "UDP", 57166, 514, 1},
	{"syslog/tcp-rfc5424", "rsh-syslog-false-positive.pcap", "TCP", 9039, 514, 2},
	{"snmp/v1-get", "snmp.pcap", "UDP", 43015, 161, 2},
	{"snmp/v3", "snmp.pcap", "UDP", 49306, 161, 2},
	{"snmp/trap", "snmp.pcap", "UDP", 54318, 162, 1},

	{"avastsecuredns/query", "avast_securedns.pcapng", "UDP", 49152, 443, 2},
	{"discord/ip-discovery", "discord.pcap", "UDP", 64837, 50001, 3},
	{"discord/keep-alive", "discord.pcap", "UDP", 56271, 50004, 2},
	{"eaq/probes", "EAQ.pcap", "UDP", 39185, 6000, 4},
	{"sdrtn/join", "agora-sd-rtn.pcap", "UDP", 55322, 8130, 2},
	{"dropbox/lan-sync", "dropbox.pcap", "UDP", 17500, 17500, 1},
	{"dropbox/coap-port-17500", "coap_mqtt.pcap", "UDP", 50318, 17500, 2},
	{"zabbix/compressed", "zabbix.pcap", "TCP", 36699, 10051, 2},
	{"zabbix/agent-query", "zabbix.pcap", "TCP", 57162, 10050, 2},
	{"tocaboca/photon-connect", "toca-boca.pcap", "UDP", 55544, 5055, 2},
	{"source_engine/a2s-info", "source_engine.pcap", "UDP", 21285, 27015, 1},

	{"bittorrent/handshake", "bittorrent.pcap", "TCP", 52895, 51413, 3},
	{"bittorrent/utp", "bittorrent_utp.pcap", "UDP", 49861, 33333, 4},
	{"bittorrent/dht", "bittorrent_utp.pcap", "UDP", 64969, 40959, 3},
	{"bittorrent/lsd", "bt_search.pcap", "UDP", 6771, 6771, 1},

	{"sip/register", "sip.pcap", "UDP", 5060, 5060, 2},
	{"sip/invite", "FAX-Call-t38-CA-TDM-SIP-FB-1.pcap", "UDP", 5060, 5060, 2},

	{"openvpn/udp", "openvpn.pcap", "UDP", 51146, 1194, 3},
	{"openvpn/tcp", "openvpn.pcap", "TCP", 39772, 1194, 3},
	{"openvpn/tls-crypt", "openvpn-tlscrypt.pcap", "UDP", 56256, 1194, 3},

	{"raknet/open-connection", "raknet.pcap", "UDP", 44501, 60030, 3},
	{"raknet/roblox-prefixed", "roblox.pcapng", "UDP", 45693, 53385, 2},
	{"telegram/reflector", "telegram.pcap", "UDP", 23174, 521, 3},
	{"nestlogsink/upload", "nest_log_sink.pcap", "TCP", 63342, 11095, 3},

	{"rtp/kakaotalk", "KakaoTalk_talk.pcap", "UDP", 11320, 23044, 4},
	{"rtp/skinny", "skinny.pcap", "UDP", 32144, 17718, 4},
	{"rtp/rtcp-compound", "rtcp_multiple_pkts_in_the_same_datagram.pcap", "UDP", 25963, 31601, 3},

	{"ftp_control/login", "ftp.pcap", "TCP", 50694, 21, 4},
	{"ftp_control/failed-login", "ftp_failed.pcap", "TCP", 44724, 21, 4},

	{"epicgames/handshake", "epicgames.pcapng", "UDP", 37989, 15011, 3},
	{"epicgames/handshake-9011", "epicgames.pcapng", "UDP", 39322, 9011, 2},
	{"tencentgames/header-3366", "tencent_games.pcap", "TCP", 43300, 65010, 2},
	{"tencentgames/header-4366", "tencent_games.pcap", "TCP", 46658, 8085, 2},
	{"tencentgames/zlib", "tencent_games.pcap", "TCP", 42864, 20731, 1},
	{"codmobile/loadout", "codm.pcap", "UDP", 38704, 7948, 4},
	{"codmobile/ping", "codm.pcap", "UDP", 40282, 7500, 1},
	{"c1222/tcp", "c1222.pcapng", "TCP", 1577, 1153, 2},
	{"c1222/udp", "c1222.pcapng", "UDP", 55092, 1153, 1},
	{"lolwildrift/hello", "lol_wild_rift_udp.pcap", "UDP", 47462, 15004, 2},
	{"lolwildrift/probe", "lol_wild_rift_udp.pcap", "UDP", 44513, 18001, 1},
	{"tesonline/login", "teso.pcapng", "TCP", 56158, 24120, 2},
	{"tesonline/zlib", "teso.pcapng", "TCP", 47860, 24504, 2},
	{"kakaotalkvoice/rtcp-rr", "KakaoTalk_talk.pcap", "UDP", 10269, 23047, 2},
	{"kakaotalkvoice/rtcp-sr", "KakaoTalk_talk.pcap", "UDP", 11321, 23045, 2},
}
