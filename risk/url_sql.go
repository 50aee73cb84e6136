package risk

import "strings"

// sqlKeywordsAfterQuote are the words that, right after a quote that ends
// the server's string literal, turn the rest of the value into SQL: a
// boolean condition, a second query or a timing function.
var sqlKeywordsAfterQuote = map[string]bool{
	"and": true, "or": true, "xor": true, "union": true, "select": true,
	"having": true, "order": true, "group": true, "where": true,
	"waitfor": true, "sleep": true, "benchmark": true, "exec": true,
	"insert": true, "update": true, "delete": true, "drop": true,
}

// looksLikeSQLInjection reports a value that breaks out of a quoted SQL
// string into SQL of its own (1' and 1=1#, x' or 'a'='a, admin'--), or
// that appends a second query or a tautology to a number (1 union select
// ..., 1 or 1=1). A lone quote, as in a typo or a name like O'Brien, is
// not enough.
func looksLikeSQLInjection(v string) bool {
	lower := strings.ToLower(v)
	if i := strings.IndexAny(lower, `'"`); i >= 0 {
		if breaksOutOfString(lower[i+1:]) {
			return true
		}
	}
	words := sqlWords(lower)
	for i, w := range words {
		if w == "union" && i+1 < len(words) && (words[i+1] == "select" || words[i+1] == "all") {
			return true
		}
		if (w == "or" || w == "and") && i+1 < len(words) && isTautology(words[i+1]) {
			return true
		}
	}
	return false
}

// breaksOutOfString reports whether the text after a closing quote starts
// a SQL comment, or a keyword from sqlKeywordsAfterQuote that has an
// operand after it.
func breaksOutOfString(rest string) bool {
	rest = strings.TrimLeft(rest, " \t\r\n)")
	if strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "#") || strings.HasPrefix(rest, "/*") {
		return true
	}
	words := sqlWords(rest)
	return len(words) >= 2 && sqlKeywordsAfterQuote[words[0]]
}

// sqlWords splits s into rough SQL tokens: runs of letters, digits, "_",
// "=" and quotes, so that a comparison such as 1=1 or 'a'='a is one
// token, and every other non-space character on its own.
func sqlWords(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, s[start:end])
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isWordByte(c) || c == '=' || c == '\'' || c == '"':
			if start < 0 {
				start = i
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			flush(i)
		default:
			flush(i)
			out = append(out, s[i:i+1])
		}
	}
	flush(len(s))
	return out
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isTautology reports a comparison of two equal operands, such as 1=1 or
// 'a'='a', which makes a WHERE clause true for every row.
func isTautology(w string) bool {
	left, right, ok := strings.Cut(strings.Trim(w, "'\""), "=")
	left, right = strings.Trim(left, "'\""), strings.Trim(right, "'\"")
	return ok && left != "" && left == right
}
