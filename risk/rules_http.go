package risk

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// judgeHTTP judges the first request and response of an HTTP flow.
func (e *Evaluator) judgeHTTP(r *record.Flow, _ time.Time, add addFunc) {
	h := r.HTTP
	if h == nil {
		return
	}
	if isNumericHost(h.Host) {
		add("numeric_ip_host", "HTTP Host "+h.Host+" is an IP address")
	}
	if h.URL != "" {
		e.judgeUserAgent(h.UserAgent, add)
		judgeURL(h.URL, add)
	}
	if h.Status >= 400 && h.Status <= 599 {
		add("error_code_detected", "HTTP status "+strconv.Itoa(h.Status))
	}
	if s := h.Server; s != "" && isObsoleteServer(s) {
		add("http_obsolete_server", "server "+s+" is no longer maintained")
	}
	if isBinaryContentType(h.ContentType) {
		add("binary_data_transfer", "response carries binary data ("+h.ContentType+")")
	}
}

// isBinaryContentType reports the media type of arbitrary binary data
// (RFC 2046 section 4.5.1), with or without parameters.
func isBinaryContentType(contentType string) bool {
	media, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(media), "application/octet-stream")
}

// judgeUserAgent reports a request without a User-Agent, one too short to
// name a real client, and one carrying a known exploit (Shellshock's
// "() {" function definition, Log4Shell's "${jndi:" lookup).
func (e *Evaluator) judgeUserAgent(ua string, add addFunc) {
	switch {
	case ua == "":
		add("http_suspicious_user_agent", "request without User-Agent")
	case strings.Contains(ua, "() {"):
		add("http_suspicious_user_agent", "User-Agent carries a Shellshock function definition")
	case strings.Contains(strings.ToLower(ua), "${jndi:"):
		add("http_suspicious_user_agent", "User-Agent carries a Log4Shell JNDI lookup")
	case len(ua) < e.cfg.MinUserAgentLength:
		add("http_suspicious_user_agent", fmt.Sprintf("User-Agent %q is too short for a real client", ua))
	}
}

// judgeURL looks for attacks and credentials in a request target. An
// injection in a query value (see urlInjection) is reported alone;
// otherwise a target that climbs directories with ".." is reported as
// suspicious. The ".." check reads the target as sent, so an encoded
// "%2e%2e" passes, as it does in nDPI.
func judgeURL(target string, add addFunc) {
	if risk, description := urlInjection(target); risk != "" {
		add(risk, description)
	} else if strings.Contains(target, "..") {
		add("http_suspicious_url", "request target climbs directories with \"..\"")
	}
	if hasCredentials(target) {
		add("clear_text_credentials", "credentials in a clear-text request target")
	}
}

func containsAny(s string, parts ...string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// hasCredentials reports user:password@ before the host, or a password
// query parameter.
func hasCredentials(target string) bool {
	rest := target
	if _, after, ok := strings.Cut(rest, "://"); ok {
		rest = after
	}
	authority, _, _ := strings.Cut(rest, "/")
	if userinfo, _, ok := strings.Cut(authority, "@"); ok && strings.Contains(userinfo, ":") {
		return true
	}
	_, query, ok := strings.Cut(target, "?")
	if !ok {
		return false
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return false
	}
	for _, k := range []string{"password", "passwd", "pwd", "pass"} {
		if values.Get(k) != "" {
			return true
		}
	}
	return false
}

// isObsoleteServer reports Apache httpd before 2.4 and nginx before 1.18,
// release lines their developers no longer maintain.
func isObsoleteServer(server string) bool {
	product, version, ok := strings.Cut(strings.Fields(server)[0], "/")
	if !ok {
		return false
	}
	major, minor, ok := majorMinor(version)
	if !ok {
		return false
	}
	switch strings.ToLower(product) {
	case "apache":
		return major < 2 || (major == 2 && minor < 4)
	case "nginx":
		return major < 1 || (major == 1 && minor < 18)
	}
	return false
}

func majorMinor(version string) (major, minor int, ok bool) {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}
