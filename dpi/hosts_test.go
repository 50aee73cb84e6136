package dpi

import (
	"net/netip"
	"strings"
	"testing"
)

func TestMatchHost(t *testing.T) {
	tests := []struct {
		host, app string
		ok        bool
	}{
		{"r4---sn-h0jeen7y.googlevideo.com", "YouTube", true},
		{"googlevideo.com", "YouTube", true},
		{"WWW.YouTube.COM", "YouTube", true},
		{"www.youtube.de", "YouTube", true},           // dotted pattern "youtube."
		{"upload.youtube.com", "YouTubeUpload", true}, // longer pattern wins
		{"mmg-fna.whatsapp.net", "WhatsAppFiles", true},
		{"e1.whatsapp.net", "WhatsApp", true},
		{"scontent-fra3-1.fbcdn-photos.net", "Facebook", true}, // label prefix "fbcdn-"
		{"alt1-mtalk.google.com", "GoogleServices", true},      // tail pattern "-mtalk.google.com"
		{"www.google.com.br", "Google", true},
		{"ocsp.digicert.com", "OCSP", true},
		{"captive.apple.com.", "Apple", true}, // trailing root dot
		{"notyoutube.com", "", false},         // no label boundary
		{"example.org", "", false},
		{"", "", false},
		{strings.Repeat("a.", 200) + "netflix.com", "NetFlix", true}, // longer than a DNS name
		// Names as nDPI 4.x reports them in its test captures' results.
		{"pitangui.amazon.com", "Amazon", true},
		{"avs-alexa-4-na.amazon.com", "AmazonAlexa", true},
		{"aax-eu.amazon-adsystem.com", "Amazon", true},
		{"config.teams.microsoft.com", "Teams", true},
		{"chatsvcagg.svcs.teams.office.com", "Teams", true},
		{"emea.ng.msg.teams-msgapi.trafficmanager.net", "Teams", true},
		{"c-flightproxy-euno-01-teams.cloudapp.net", "Teams", true},
		{"northeuropecns.trafficmanager.net", "Microsoft", true},
		{"eu-api.asm.skype.com", "Skype_Teams", true},
		{"gate.hockeyapp.net", "Skype_Teams", true},
		{"login.microsoftonline.com", "Microsoft365", true},
		{"www.bing.com", "Microsoft", true},
		{"onedrive.live.com", "MS_OneDrive", true},
		{"www.outlook.com", "Outlook", true},
		{"sb.scorecardresearch.com", "ADS_Analytic_Track", true},
		{"mobile-collector.newrelic.com", "ADS_Analytic_Track", true},
		{"simplednscrypt.org", "DNScrypt", true},
		{"github.com", "Github", true},
		{"android.clients.google.com", "PlayStore", true},
		{"play.google.com", "Google", true},
		{"mozilla.org", "", false},
	}
	for _, tt := range tests {
		app, ok := matchHost(tt.host)
		if app != tt.app || ok != tt.ok {
			t.Errorf("matchHost(%q) = %q, %v; want %q, %v", tt.host, app, ok, tt.app, tt.ok)
		}
	}
}

func TestMatchHostDetailCategory(t *testing.T) {
	m, ok := matchHostDetail("pagead2.googlesyndication.com")
	if !ok || m.App != "Google" || m.Category != "Advertisement" || m.Breed != "Tracker/Ads" {
		t.Errorf("matchHostDetail(googlesyndication) = %+v, %v", m, ok)
	}
	m, ok = matchHostDetail("www.google.com")
	if !ok || m.Category != "" {
		t.Errorf("matchHostDetail(www.google.com) = %+v, %v; want no category override", m, ok)
	}
}

func TestParseHostTableErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"pattern first", "example.com\n", "before any @App"},
		{"empty app", "@\n", "missing application name"},
		{"bad attribute", "@X colour=red\n", "unknown attribute"},
	}
	for _, tt := range tests {
		_, err := parseHostTable(strings.NewReader(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// nameMasters are the protocols whose application nDPI takes from a host
// name (SNI, HTTP Host, DNS query).
var nameMasters = map[string]bool{"TLS": true, "QUIC": true, "HTTP": true, "DNS": true,
	"HTTP_Proxy": true, "HTTP_Connect": true, "DTLS": true}

// TestMatchHostTruth measures matchHost against every flow whose
// application nDPI took from its host name.
func TestMatchHostTruth(t *testing.T) {
	var a agreement
	for _, f := range loadTruth(t) {
		if f.app == "" || f.info == "" || f.confidence != "dpi" || !nameMasters[f.master] {
			continue
		}
		got, _ := matchHost(f.info)
		a.add(got == f.app, f.info+": got "+got+", want "+f.app)
	}
	a.report(t, "matchHost vs nDPI", 80)
}

// TestMatchIPTruth measures matchIP against nDPI's IP-list match for the
// server address of each flow, over the services data/ip_prefixes.txt
// covers. Custom protocols from protos.txt are the rules' business.
func TestMatchIPTruth(t *testing.T) {
	covered := map[string]bool{}
	for _, lvl := range append(loadPrefixes().v4, loadPrefixes().v6...) {
		for _, app := range lvl.vals {
			covered[app] = true
		}
	}
	var a, all agreement
	for _, f := range loadTruth(t) {
		if f.ipProt == "" || strings.HasPrefix(f.ipProt, "CustomProtocol") {
			continue
		}
		addr, err := netip.ParseAddr(f.serverIP)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := matchIP(addr)
		all.add(got == f.ipProt, f.serverIP+": got "+got+", want "+f.ipProt)
		if covered[f.ipProt] {
			a.add(got == f.ipProt, f.serverIP+": got "+got+", want "+f.ipProt)
		}
	}
	t.Logf("matchIP vs nDPI over all IP matches: %d/%d (%.1f%%)", all.ok, all.total, all.pct())
	a.report(t, "matchIP vs nDPI, covered services", 70)
}
