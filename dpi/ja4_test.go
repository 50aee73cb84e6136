package dpi

import "testing"

// chromeHello is the Client Hello of FoxIO's JA4 worked example: TLS 1.3,
// SNI, ALPN h2, 15 ciphers and 16 extensions, plus GREASE values that the
// fingerprint must ignore.
func chromeHello() clientHello {
	return clientHello{
		version: versionTLS12,
		ciphers: []uint16{0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
			0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		extensions: []uint16{0x0a0a, 0x0000, 0x0017, 0xff01, 0x000a, 0x000b, 0x0023, 0x0010, 0x0005, 0x000d,
			0x0012, 0x0033, 0x002d, 0x002b, 0x001b, 0x0015, 0x4469},
		sigAlgs:  []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601},
		versions: []uint16{0x2a2a, versionTLS13, versionTLS12},
		hasSNI:   true,
		sni:      "example.com",
		alpn:     []string{"h2", "http/1.1"},
	}
}

func TestJA4(t *testing.T) {
	tests := []struct {
		name   string
		kind   byte
		change func(*clientHello)
		want   string
	}{
		{"worked example", 't', func(*clientHello) {}, "t13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"quic", 'q', func(*clientHello) {}, "q13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"no sni", 't', func(ch *clientHello) { ch.hasSNI = false }, "t13i1516h2_8daaf6152771_e5627efa2ab1"},
		{"no alpn", 't', func(ch *clientHello) { ch.alpn = nil }, "t13d151600_8daaf6152771_e5627efa2ab1"},
		{"alpn first and last", 't', func(ch *clientHello) { ch.alpn = []string{"http/1.1"} }, "t13d1516h1_8daaf6152771_e5627efa2ab1"},
		{"alpn not alphanumeric", 't', func(ch *clientHello) { ch.alpn = []string{"\xabx\xcd"} }, "t13d1516ad_8daaf6152771_e5627efa2ab1"},
		{"legacy version without supported_versions", 't', func(ch *clientHello) { ch.versions = nil }, "t12d1516h2_8daaf6152771_e5627efa2ab1"},
		{"dtls 1.2", 'd', func(ch *clientHello) { ch.versions = []uint16{versionDTLS12} }, "dd2d1516h2_8daaf6152771_e5627efa2ab1"},
		{"unknown version", 't', func(ch *clientHello) { ch.versions = []uint16{versionFizz, versionTLS13} }, "t00d1516h2_8daaf6152771_e5627efa2ab1"},
		{"no extensions", 't', func(ch *clientHello) {
			ch.extensions, ch.sigAlgs, ch.versions, ch.hasSNI, ch.alpn = nil, nil, nil, false, nil
		}, "t12i150000_8daaf6152771_000000000000"},
		{"no signature algorithms", 't', func(ch *clientHello) {
			ch.extensions, ch.sigAlgs = []uint16{0x000a, 0x000b}, nil
		}, "t13d1502h2_8daaf6152771_33a13ba74d1c"},
		{"no ciphers", 't', func(ch *clientHello) { ch.ciphers = nil }, "t13d0016h2_000000000000_e5627efa2ab1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := chromeHello()
			tt.change(&ch)
			if got := ja4(&ch, tt.kind); got != tt.want {
				t.Errorf("ja4 = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJA4S(t *testing.T) {
	tests := []struct {
		name string
		sh   serverHello
		want string
	}{
		{"tls 1.3", serverHello{version: versionTLS12, selected: versionTLS13, cipher: 0x1301,
			extensions: []uint16{0x002b, 0x0033}}, "t130200_1301_a56c5b993250"},
		{"tls 1.2 with alpn", serverHello{version: versionTLS12, cipher: 0xc030, alpn: "h2",
			extensions: []uint16{0x0017, 0xff01}}, "t1202h2_c030_5333cdffa7d9"},
		{"no extensions", serverHello{version: versionTLS10, cipher: 0x0035}, "t100000_0035_000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ja4s(&tt.sh, 't'); got != tt.want {
				t.Errorf("ja4s = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTLSVersionName(t *testing.T) {
	tests := []struct {
		v    uint16
		want string
	}{
		{0x0300, "SSLv3"}, {0x0301, "TLSv1"}, {0x0302, "TLSv1.1"}, {0x0303, "TLSv1.2"}, {0x0304, "TLSv1.3"},
		{0xfeff, "DTLSv1.0"}, {0xfefd, "DTLSv1.2"}, {0xfefc, "DTLSv1.3"}, {0xfb1a, "TLSv1.3 (Fizz)"},
		{0x7f1c, "TLSv1.3 (draft)"}, {0x1a1a, "GREASE"}, {0x0100, "TLS (0100)"}, {0xfb17, "TLS (FB17)"},
		{0x1a2a, "TLS (1A2A)"},
	}
	for _, tt := range tests {
		if got := tlsVersionName(tt.v); got != tt.want {
			t.Errorf("tlsVersionName(%#04x) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestCipherSuiteName(t *testing.T) {
	tests := []struct {
		v    uint16
		want string
	}{
		{0x1301, "TLS_AES_128_GCM_SHA256"},
		{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
		{0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
		{0x1a1a, "0X1A1A"},
	}
	for _, tt := range tests {
		if got := cipherSuiteName(tt.v); got != tt.want {
			t.Errorf("cipherSuiteName(%#04x) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if n := len(parseCipherNames(tlsCiphersCSV)); n != 352 {
		t.Errorf("registry has %d names, want every one of the 352 data lines", n)
	}
}

func TestJA3GREASE(t *testing.T) {
	ch := chromeHello()
	plain := ch
	plain.ciphers = withoutGREASE(ch.ciphers)
	plain.extensions = withoutGREASE(ch.extensions)
	if ja3(&ch) != ja3(&plain) {
		t.Error("GREASE values change the JA3 hash")
	}
}
