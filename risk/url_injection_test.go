package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/flowlens/flowlens/record"
)

func TestURLInjection(t *testing.T) {
	tests := []struct {
		name, target, want string
	}{
		{"plain query", "/search?q=network+monitor&page=2", ""},
		{"no query", "/cgi-bin/handler/netsonar;cat%20/etc/hosts", ""},
		{"script element", "/x?default=English%3Cscript%3Ealert(1)%3C/script%3E", "url_possible_xss"},
		{"quote then and", "/sqli/?id=1%27+and+1%3D1%23&Submit=Submit", "url_possible_sql_injection"},
		{"quote then union", "/sqli/?id=1%27+union+select+user%2C+password+from+users%23", "url_possible_sql_injection"},
		{"string tautology", "/login?user=x%27+or+%27a%27%3D%27a", "url_possible_sql_injection"},
		{"numeric union", "/item?id=5+union+all+select+1,2", "url_possible_sql_injection"},
		{"lone quote", "/sqli/?id=1%27&Submit=Submit", ""},
		{"name with quote", "/people?name=O%27Brien+and+sons", ""},
		{"command with option", "/index.php?t=2&rush=ls%20-al", "url_possible_rce_injection"},
		{"command after separator", "/cal.php?comma=%22;echo%20'';%20echo%20%60id%20%60;die();echo%22", "url_possible_rce_injection"},
		{"parameter without value", "/shell?cat+/etc/hosts", "url_possible_rce_injection"},
		{"command path before pipe", "/ans.pl?p=../../../../../usr/bin/id|&blah", "url_possible_rce_injection"},
		{"sensitive file", "/t.php?ONLY=%2e%2e/%2e%2e/etc/passwd%00", "url_possible_rce_injection"},
		{"bare command after separator", "/modules.php?func=ping_host&hinput=%3Bid", ""},
		{"php code only", "/moadmin.php?find=array();phpinfo();exit;", ""},
		{"bare windows command", "/index.php?rush=%64%69%72", ""},
		{"plain words", "/search?q=echo+chamber&x=cat+food", ""},
		{"nul ends value", "/api?arguments=O%3A12%3A%22x%22%00%3Bsystem%28%22ls+-al%22%29", ""},
		{"invalid escape skipped", "/x?a=%zz;cat+/etc/passwd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := urlInjection(tt.target)
			if got != tt.want {
				t.Errorf("urlInjection(%q) = %q, want %q", tt.target, got, tt.want)
			}
		})
	}
}

func TestJudgeURLSuspicious(t *testing.T) {
	tests := []struct {
		name, target string
		want         []string
	}{
		{"raw dot dot", "/msadc/..%255c../winnt/system32/cmd.exe?/c+dir+c:%5c", []string{"http_suspicious_url"}},
		{"encoded dot dot", "/t.php?ONLY=%2e%2e/%2e%2e/windows/win.ini%00", nil},
		{"injection wins", "/ans.pl?p=../../usr/bin/id|&blah", []string{"url_possible_rce_injection"}},
		{"shell path without dots", "/c/winnt/system32/cmd.exe?/c+dir+/OG", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			judgeURL(tt.target, func(risk, _ string) { got = append(got, risk) })
			if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Errorf("judgeURL(%q) raised %v, want %v", tt.target, got, tt.want)
			}
		})
	}
}

func TestDisabledNewRisks(t *testing.T) {
	flow := func() record.Flow {
		return record.Flow{L4: "TCP", ServerIP: "192.0.2.1", C2SPackets: 1, S2CPackets: 1,
			Risks: []string{"malformed_packet", "invalid_characters"},
			HTTP:  &record.HTTP{Host: "example.com", URL: "/a.php?cmd=cat+/etc/passwd", UserAgent: "curl/8.5.0"}}
	}
	e := newTestEvaluator(t, DefaultConfig())
	f := flow()
	e.Evaluate(&f, time.Now())
	for _, want := range []string{"malformed_packet", "invalid_characters", "url_possible_rce_injection"} {
		if !slices.Contains(f.Risks, want) {
			t.Errorf("default configuration: risks %v, want %s", f.Risks, want)
		}
	}

	cfg := DefaultConfig()
	cfg.Disabled = []string{"malformed_packet", "invalid_characters", "url_possible_rce_injection"}
	e = newTestEvaluator(t, cfg)
	f = flow()
	e.Evaluate(&f, time.Now())
	for _, off := range cfg.Disabled {
		if slices.Contains(f.Risks, off) {
			t.Errorf("risks %v with %s disabled", f.Risks, off)
		}
	}
}

func BenchmarkURLInjection(b *testing.B) {
	const target = "/index.php?name=Forums&file=viewtopic&t=2&rush=%6c%73%20%2d%61%6c&highlight=x"
	b.ReportAllocs()
	for b.Loop() {
		urlInjection(target)
	}
}
