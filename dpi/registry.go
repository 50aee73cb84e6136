package dpi

// registry lists the dissectors in the order they are offered a new flow:
// the common protocols first, then the rest. Ports are only a hint: the
// engine moves the dissectors whose usual port matches to the front, but
// every dissector still decides from the payload. Activision comes before
// DTLS, whose record layer its packets resemble, because its usual port is
// the client's and gets no hint.
var registry = []Dissector{
	TLSDissector{},
	HTTP{},
	// DNScrypt and AVAST's secure DNS open with DNS-formatted queries.
	DNScrypt{}, AVASTSecureDNS{},
	DNS{},
	QUIC{},
	SSH{},
	DHCP{},
	// STUN hands its flow on to the DTLS, SRTP or RTP that follows it.
	STUN{},
	Activision{},
	DTLSDissector{},

	// Peer-to-peer, messaging, voice and discovery.
	SLP{}, Gnutella{}, WhatsApp{}, SSDP{}, Kerberos{}, Syslog{}, SNMP{}, Discord{}, EAQ{}, SDRTN{},
	Dropbox{}, Zabbix{}, TocaBoca{}, SourceEngine{}, BitTorrent{}, SIP{}, OpenVPN{}, RakNet{},
	Telegram{}, NestLogSink{}, FTPControl{}, IRC{}, H323{}, Viber{}, LineCall{}, TeamSpeak{},

	// Mail, file sharing and remote access.
	MailTLS{}, SMTP{}, IMAP{}, POP3{}, NetBIOS{}, SMB{},
	RDP{}, VNC{}, Munin{}, TFTP{}, UFTP{}, Softether{}, Telnet{}, SOCKS{}, TeamViewer{}, Usenet{},

	// Databases and data stores.
	MySQL{}, RESP{}, Cassandra{}, AJP{}, Elasticsearch{}, MsSQLTDS{}, PostgreSQL{}, MongoDB{},

	// Routing, network services and discovery.
	BGP{}, BFD{}, LDP{}, LISP{}, DLEP{}, NFS{}, BJNP{}, HSRP{}, WSD{}, NATPMP{}, RMCP{}, NTP{},
	RipeAtlas{}, KCP{}, RX{}, WireGuard{}, Roughtime{}, TINC{}, DCERPC{}, LDAP{}, Collectd{}, UBNTAC2{}, Thrift{},

	// Industrial and building automation.
	EthernetIP{}, HiSLIP{}, HARTIP{}, TRDP{}, PTPv2{}, BACnet{}, ControllerAreaNetwork{}, DNP3{}, IEC60870{},
	MQTT{}, SOMEIP{}, COAP{}, Modbus{},

	// Applications, games and cryptocurrencies.
	Bitcoin{}, Monero{}, Mining{}, Xiaomi{}, HPVirtGrp{}, Spotify{}, TPLinkSHP{},
	ZUG{}, CryNetwork{}, RiotGames{}, AVAST{}, Nintendo{}, Zoom{}, WorldOfWarcraft{}, GaijinEntertainment{},
	EpicGames{}, TencentGames{}, CoDMobile{}, ANSIC1222{}, LoLWildRift{}, TESOnline{}, KakaoTalkVoice{},
	Nano{}, Yojimbo{}, TiVoConnect{}, FLUTE{}, MPEGTS{}, EDonkey{}, GTPPrime{}, HeroesOfTheStorm{}, IMO{}, UltraSurf{},

	// RTP and RTCP last: their loose header would claim other media.
	RTP{},
}

// dissected holds the Name of every dissector in the registry.
var dissected = func() map[string]bool {
	names := make(map[string]bool, len(registry))
	for _, d := range registry {
		names[d.Name()] = true
	}
	return names
}()

// HasDissector reports whether a dissector of the registry recognises
// protocol, named as nDPI spells it, by its packets. A flow guessed to be
// such a protocol by its port was offered to that dissector and rejected.
func HasDissector(protocol string) bool { return dissected[protocol] }
