package store

import "strings"

// quoteString returns s as a single-quoted SQL string literal for
// ClickHouse, which has no bind parameters over HTTP before release 19.
// Every value that reaches ClickHouse SQL text passes through here.
//
// Printable ASCII other than the quote and the backslash is copied; every
// other byte, NUL, control characters, bytes of multi-byte UTF-8 and of
// invalid UTF-8 included, is written as a \xHH escape. The literal is thus
// plain ASCII, and ClickHouse rebuilds the exact bytes of s from it.
func quoteString(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	b.WriteByte('\'')
	return b.String()
}
