package risk

import (
	"strings"
)

// The injection checks read a request target's query as nDPI does. The
// query is split at "&", and a parameter's value is what follows its
// first "=", or the whole parameter when it has none. Each value is
// percent-decoded once with "+" read as a space, and a value with an
// invalid escape is skipped. The first value that looks like cross-site
// scripting, SQL injection or command injection, checked in that order,
// decides the risk, so a request target raises at most one of them.

// urlInjection returns the injection risk that the first suspicious query
// value of target shows, with a description, or "" when none does.
func urlInjection(target string) (risk, description string) {
	_, query, ok := strings.Cut(target, "?")
	if !ok {
		return "", ""
	}
	for _, param := range strings.Split(query, "&") {
		value := param
		if _, v, ok := strings.Cut(param, "="); ok {
			value = v
		}
		decoded, ok := decodeQueryValue(value)
		if !ok || decoded == "" {
			continue
		}
		switch {
		case looksLikeXSS(decoded):
			return "url_possible_xss", "query value looks like cross-site scripting"
		case looksLikeSQLInjection(decoded):
			return "url_possible_sql_injection", "query value looks like SQL injection"
		case looksLikeCommandInjection(decoded):
			return "url_possible_rce_injection", "query value looks like shell command injection"
		}
	}
	return "", ""
}

// decodeQueryValue percent-decodes v once and reads "+" as a space
// (application/x-www-form-urlencoded). It stops at a decoded NUL, because
// the server-side C and PHP code such payloads target ends the string
// there. It returns ok=false for a malformed escape.
func decodeQueryValue(v string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if i+2 >= len(v) {
				return "", false
			}
			hi, ok1 := unhex(v[i+1])
			lo, ok2 := unhex(v[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			c = hi<<4 | lo
			i += 2
		}
		if c == 0 {
			break
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// looksLikeXSS reports markup or script that a page would run if it
// echoed the value: a script element, a javascript: URL or an inline
// event handler.
func looksLikeXSS(v string) bool {
	lower := strings.ToLower(v)
	return containsAny(lower, "<script", "javascript:", "onerror=", "onload=", "onmouseover=", "<iframe", "<svg")
}
