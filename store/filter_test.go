package store

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/record"
)

func TestParseFilterTree(t *testing.T) {
	tests := []struct {
		text string
		want *Filter
	}{
		{"true", &Filter{All: true}},
		{`app = "TLS.YouTube"`, Cond("app", OpEq, "TLS.YouTube")},
		{`app == TLS.YouTube`, Cond("app", OpEq, "TLS.YouTube")},
		{`app = "TLS.YouTube" and not client_ip in 10.0.0.0/8`,
			And(Cond("app", OpEq, "TLS.YouTube"), Not(Cond("client_ip", OpIn, "10.0.0.0/8")))},
		{`a = 1 or b = 2 and c = 3`, nil}, // unknown fields: checked in the error table
		{`port in (53, 853) OR tls.sni contains google`,
			Or(Cond("port", OpIn, "53", "853"), Cond("tls.sni", OpContains, "google"))},
		{`(app = DNS or app = HTTP) and bytes >= 100`,
			And(Or(Cond("app", OpEq, "DNS"), Cond("app", OpEq, "HTTP")), Cond("bytes", OpGe, "100"))},
		{`http.url starts with '/api\'x' and dns.query not in ("a", 'b')`,
			And(Cond("http.url", OpStartsWith, "/api'x"), Cond("dns.query", OpNotIn, "a", "b"))},
		{`NOT NOT risks = tls_obsolete_version`, Not(Not(Cond("risks", OpEq, "tls_obsolete_version")))},
		{`first_seen >= 2024-05-01T00:00:00Z and first_seen < 2024-05-02`,
			And(Cond("first_seen", OpGe, "2024-05-01T00:00:00Z"), Cond("first_seen", OpLt, "2024-05-02"))},
		{`tls.sni = "a\"b\\c\x00\u00e9"`, Cond("tls.sni", OpEq, "a\"b\\c\x00é")},
		{`host != 2001:db8::1 and server_port<=1024`,
			And(Cond("host", OpNe, "2001:db8::1"), Cond("server_port", OpLe, "1024"))},
	}
	for _, tt := range tests {
		if tt.want == nil {
			continue
		}
		got, err := ParseFilter(tt.text)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.text, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseFilter(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	tests := []struct {
		text     string
		pos      int
		expected string
	}{
		{"", 1, "a field name"},
		{"app", 4, "an operator"},
		{"app =", 6, "a value"},
		{"nosuch = 1", 1, "a field name"},
		{"app = x and", 12, "a field name"},
		{"app = x y", 9, "and, or or the end"},
		{"(app = x", 9, `")"`},
		{"app not x", 9, `"in" after "not"`},
		{"app starts x", 12, `"with" after "starts"`},
		{"port in (1, 2", 14, `"," or ")"`},
		{`app = "open`, 7, "a value"},
		{`app = "bad \q"`, 12, "a value"},
		{"client_ip = 10.0.0.0/33", 13, "a value that fits the field"},
		{"client_port = -1", 15, "a value that fits the field"},
		{"client_ip contains 10", 20, "a value that fits the field"},
		{"risks > a", 9, "a value that fits the field"},
		{"first_seen < yesterday", 14, "a value that fits the field"},
		{"app ! x", 5, "an operator"},
	}
	for _, tt := range tests {
		_, err := ParseFilter(tt.text)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseFilter(%q) error = %v, want a *ParseError", tt.text, err)
			continue
		}
		if pe.Pos != tt.pos {
			t.Errorf("ParseFilter(%q) position = %d, want %d (%v)", tt.text, pe.Pos, tt.pos, err)
		}
		if !strings.HasPrefix(pe.Expected, tt.expected) {
			t.Errorf("ParseFilter(%q) expected = %q, want prefix %q", tt.text, pe.Expected, tt.expected)
		}
	}
}

// hostileValues are strings that break naive quoting.
var hostileValues = []string{
	`it's`, `a"b`, `back\slash`, `\'`, `'; DROP TABLE flows; --`, "nul\x00byte", "line\nbreak\ttab",
	"é中文🙂", "\x7f", `\x41`, "", " ", "\u2028",
}

func TestFilterTextRoundTrip(t *testing.T) {
	texts := []string{
		"true",
		`app = "TLS.YouTube" and not client_ip in 10.0.0.0/8`,
		`(a_or = 1)`,
		`port in (53, 853) or (tls.sni contains google and not (dns.query starts with x or http.status >= 400))`,
	}
	for _, v := range hostileValues {
		texts = append(texts, Cond("tls.sni", OpEq, v).String())
	}
	for _, text := range texts {
		first, err := ParseFilter(text)
		if err != nil {
			if strings.Contains(text, "a_or") {
				continue // unknown field, rejected as it should be
			}
			t.Errorf("ParseFilter(%q): %v", text, err)
			continue
		}
		second, err := ParseFilter(first.String())
		if err != nil {
			t.Errorf("ParseFilter(String() of %q) = %q: %v", text, first.String(), err)
			continue
		}
		if diff := cmp.Diff(first, second); diff != "" {
			t.Errorf("text round trip of %q (-first +second):\n%s", text, diff)
		}
	}
}

func TestHostileValuesSurviveText(t *testing.T) {
	for _, v := range hostileValues {
		f, err := ParseFilter(Cond("tls.sni", OpEq, v).String())
		if err != nil {
			t.Errorf("value %q: %v", v, err)
			continue
		}
		if got := string(*f.Value); got != v {
			t.Errorf("value %q came back as %q", v, got)
		}
	}
}

func TestFilterJSONRoundTrip(t *testing.T) {
	texts := []string{
		"true",
		`app = "TLS.YouTube" and not client_ip in 10.0.0.0/8`,
		`port in (53, 853) or (tls.sni contains "it's" and not http.status >= 400)`,
	}
	for _, text := range texts {
		f, err := ParseFilter(text)
		if err != nil {
			t.Fatalf("ParseFilter(%q): %v", text, err)
		}
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatalf("marshal %q: %v", text, err)
		}
		var back Filter
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		if diff := cmp.Diff(f, &back); diff != "" {
			t.Errorf("JSON round trip of %q via %s (-want +got):\n%s", text, b, diff)
		}
	}
}

func TestFilterJSONShape(t *testing.T) {
	const doc = `{"and":[{"field":"app","op":"=","value":"TLS.YouTube"},
		{"not":{"field":"client_ip","op":"in","values":["10.0.0.0/8"]}},
		{"field":"server_port","op":"<","value":1024}]}`
	var f Filter
	if err := json.Unmarshal([]byte(doc), &f); err != nil {
		t.Fatal(err)
	}
	want := `app = "TLS.YouTube" and not client_ip in ("10.0.0.0/8") and server_port < "1024"`
	if got := f.String(); got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if _, err := NewMatcher(&f); err != nil {
		t.Errorf("NewMatcher: %v", err)
	}
}

func TestCompileRejectsBadJSON(t *testing.T) {
	bad := []string{
		`{"field":"app","op":"=","value":"x","and":[]}`,
		`{"field":"app","op":"~","value":"x"}`,
		`{"field":"app","op":"="}`,
		`{"field":"app","op":"in","values":[]}`,
		`{"field":"nosuch","op":"=","value":"x"}`,
		`{"field":"vlan","op":"=","value":"ten"}`,
	}
	for _, doc := range bad {
		var f Filter
		if err := json.Unmarshal([]byte(doc), &f); err != nil {
			t.Errorf("unmarshal %s: %v", doc, err)
			continue
		}
		if _, err := NewMatcher(&f); err == nil {
			t.Errorf("NewMatcher(%s) accepted it", doc)
		}
	}
}

func TestMatcher(t *testing.T) {
	fl := &record.Flow{
		ClientIP: "10.1.2.3", ClientPort: 51000, ServerIP: "2001:db8::5", ServerPort: 443, IPVersion: 6,
		C2SBytes: 100, S2CBytes: 900, App: "TLS.YouTube", Risks: []string{"tls_obsolete_version", "unidirectional_traffic"},
		TLS: &record.TLS{SNI: "www.youtube.com", ALPN: []string{"h2", "http/1.1"}},
	}
	tests := []struct {
		text string
		want bool
	}{
		{"true", true},
		{"not true", false},
		{"app = TLS.YouTube", true},
		{"app != TLS.YouTube", false},
		{"client_ip in 10.0.0.0/8", true},
		{"client_ip in 11.0.0.0/8", false},
		{"ip = 2001:db8::/32", true},
		{"ip != 10.1.2.3", false},
		{"ip not in (192.168.0.0/16, 172.16.0.0/12)", true},
		{"port = 443", true},
		{"port != 443", false},
		{"port in (80, 8080)", false},
		{"bytes = 1000", true},
		{"bytes > 1000", false},
		{"tls.sni contains youtube", true},
		{"tls.sni starts with www.", true},
		{"tls.sni starts with youtube", false},
		{"tls.sni > www", true},
		{"risks = unidirectional_traffic", true},
		{"risks != unidirectional_traffic", false},
		{"risks contains obsolete", true},
		{"tls.alpn starts with http/", true},
		{"dns.query = x", false},
		{`dns.query = ""`, true},
		{"vlan = 0", true},
		{"(app = DNS or port = 443) and not client_ip in 10.0.0.0/24", true},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.text)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.text, err)
			continue
		}
		m, err := NewMatcher(f)
		if err != nil {
			t.Errorf("NewMatcher(%q): %v", tt.text, err)
			continue
		}
		if got := m.Match(fl); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestParseFilterBounds(t *testing.T) {
	deepNot := strings.Repeat("not ", maxFilterDepth+1) + "port = 1"
	deepParens := strings.Repeat("(", maxFilterDepth+1) + "port = 1" + strings.Repeat(")", maxFilterDepth+1)
	manyConds := "port = 1" + strings.Repeat(" or port = 1", maxFilterConditions)
	long := "tls.sni contains " + strconv.Quote(strings.Repeat("a", maxFilterLength))
	for name, text := range map[string]string{"deep not": deepNot, "deep parentheses": deepParens, "many conditions": manyConds, "long": long} {
		if _, err := ParseFilter(text); err == nil {
			t.Errorf("%s: parsed, want an error", name)
		}
	}

	// At the bounds, with an or and an and inside every pair of
	// parentheses, a filter still parses and compiles.
	var b strings.Builder
	for range maxFilterDepth {
		b.WriteString("(port = 1 or port = 2 and ")
	}
	b.WriteString("port = 3" + strings.Repeat(")", maxFilterDepth))
	f, err := ParseFilter(b.String())
	if err != nil {
		t.Fatalf("%d nested parentheses: %v", maxFilterDepth, err)
	}
	if _, err := compile(f); err != nil {
		t.Errorf("compile %d nested parentheses: %v", maxFilterDepth, err)
	}

	// A tree built in code has the same bounds.
	deep := Cond("port", OpEq, "1")
	for range maxTreeDepth + 1 {
		deep = Not(deep)
	}
	if _, err := compile(deep); err == nil {
		t.Error("compile of a tree too deep: no error")
	}
}

func TestParseFilterNumberRanges(t *testing.T) {
	for _, text := range []string{"client_port = 70000", "port = 65536", "bytes > 9223372036854775808", "risk_score > 4294967296"} {
		if _, err := ParseFilter(text); err == nil {
			t.Errorf("%s: parsed, want an out-of-range error", text)
		}
	}
	for _, text := range []string{"client_port = 65535", "bytes > 9223372036854775807"} {
		if _, err := ParseFilter(text); err != nil {
			t.Errorf("%s: %v, want no error", text, err)
		}
	}
}
