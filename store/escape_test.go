package store

import "testing"

func TestQuoteString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `''`},
		{"plain text", `'plain text'`},
		{"it's", `'it\'s'`},
		{`back\slash`, `'back\\slash'`},
		{`\'`, `'\\\''`},
		{"'; DROP TABLE flows; --", `'\'; DROP TABLE flows; --'`},
		{"nul\x00byte", `'nul\x00byte'`},
		{"line\nbreak\ttab\r", `'line\x0Abreak\x09tab\x0D'`},
		{"\x7f", `'\x7F'`},
		{"é", `'\xC3\xA9'`},
		{"🙂", `'\xF0\x9F\x99\x82'`},
		{"bad\xffutf8", `'bad\xFFutf8'`},
		{`\x41`, `'\\x41'`},
		{`"double"`, `'"double"'`},
		{"`tick`", "'`tick`'"},
	}
	for _, tt := range tests {
		if got := quoteString(tt.in); got != tt.want {
			t.Errorf("quoteString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
