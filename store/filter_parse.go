package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseError is a syntax or validation error in a text filter.
type ParseError struct {
	Pos      int    // 1-based byte position in the filter text
	Expected string // what the parser expected there
	Found    string // what it found, or "end of filter"
	// Reason, when set, explains a value that parsed but does not fit its
	// field, and the message shows it instead of Expected and Found.
	Reason string
}

// Error implements error.
func (e *ParseError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("store: filter: at position %d: %s", e.Pos, e.Reason)
	}
	return fmt.Sprintf("store: filter: at position %d: expected %s, found %s", e.Pos, e.Expected, e.Found)
}

// ParseFilter reads the text syntax of filters:
//
//	app = "TLS.YouTube" and not client_ip in 10.0.0.0/8
//	(tls.sni contains google or dns.query starts with "www.") and bytes > 10000
//	port in (53, 853) and risks = tls_obsolete_version
//
// A condition is FIELD OP VALUE with OP one of = != < > <= >= contains,
// "starts with", or FIELD in / not in followed by one value or a
// parenthesised list. Values are double- or single-quoted strings with
// backslash escapes, or bare words. Conditions combine with and, or, not
// and parentheses; "and" binds tighter than "or". true matches every flow.
// Keywords are case-insensitive. The result is validated: unknown fields,
// operators that do not fit a field and malformed values are errors.
//
// A filter is at most maxFilterLength bytes long, nests not and
// parentheses at most maxFilterDepth deep and has at most
// maxFilterConditions conditions, so that no request can make the stores
// parse or plan an unbounded query.
func ParseFilter(text string) (*Filter, error) {
	if len(text) > maxFilterLength {
		return nil, &ParseError{Pos: maxFilterLength + 1, Reason: fmt.Sprintf("the filter is %d bytes long; at most %d are accepted", len(text), maxFilterLength)}
	}
	p := &parser{lex: lexer{src: text}}
	p.next()
	f, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("and, or or the end of the filter")
	}
	return f, nil
}

// Bounds of a filter; see ParseFilter.
const (
	maxFilterLength     = 64 << 10
	maxFilterDepth      = 100
	maxFilterConditions = 1000
	// maxTreeDepth bounds the depth of a Filter tree: a text filter adds
	// a node for each not, and an or and an and node inside each pair of
	// parentheses.
	maxTreeDepth = 3*maxFilterDepth + 2
)

type parser struct {
	lex lexer
	tok token
	// depth counts the not and parentheses open around the token, and
	// conditions the conditions read so far.
	depth, conditions int
}

// enter counts one more level of nesting, failing past maxFilterDepth.
func (p *parser) enter() error {
	if p.depth++; p.depth > maxFilterDepth {
		return &ParseError{Pos: p.tok.pos + 1, Reason: fmt.Sprintf("the filter nests not and parentheses more than %d deep", maxFilterDepth)}
	}
	return nil
}

func (p *parser) next() { p.tok = p.lex.next() }

func (p *parser) errorf(expected string) error {
	if p.tok.kind == tokError {
		return &ParseError{Pos: p.tok.pos + 1, Expected: expected, Found: p.tok.text}
	}
	found := "end of filter"
	if p.tok.kind != tokEOF {
		found = fmt.Sprintf("%q", p.tok.text)
	}
	return &ParseError{Pos: p.tok.pos + 1, Expected: expected, Found: found}
}

func (p *parser) parseOr() (*Filter, error) {
	return p.parseChain("or", p.parseAnd, func(l []*Filter) *Filter { return &Filter{Or: l} })
}

func (p *parser) parseAnd() (*Filter, error) {
	return p.parseChain("and", p.parseUnary, func(l []*Filter) *Filter { return &Filter{And: l} })
}

// parseChain reads operands joined by keyword and folds them into one node.
func (p *parser) parseChain(keyword string, operand func() (*Filter, error), build func([]*Filter) *Filter) (*Filter, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	list := []*Filter{first}
	for p.tok.isKeyword(keyword) {
		p.next()
		f, err := operand()
		if err != nil {
			return nil, err
		}
		list = append(list, f)
	}
	if len(list) == 1 {
		return first, nil
	}
	return build(list), nil
}

func (p *parser) parseUnary() (*Filter, error) {
	if p.tok.isKeyword("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.next()
		f, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &Filter{Not: f}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (*Filter, error) {
	switch {
	case p.tok.kind == tokLParen:
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.next()
		f, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.errorf(`")"`)
		}
		p.next()
		p.depth--
		return f, nil
	case p.tok.isKeyword("true"):
		p.next()
		return &Filter{All: true}, nil
	case p.tok.kind == tokWord:
		return p.parseCond()
	}
	return nil, p.errorf(`a field name, "not", "true" or "("`)
}

func (p *parser) parseCond() (*Filter, error) {
	name, namePos := p.tok.text, p.tok.pos
	if p.conditions++; p.conditions > maxFilterConditions {
		return nil, &ParseError{Pos: namePos + 1, Reason: fmt.Sprintf("the filter has more than %d conditions", maxFilterConditions)}
	}
	if _, virtual := virtualFields[name]; !virtual {
		if _, ok := lookupField(name); !ok {
			return nil, &ParseError{Pos: namePos + 1, Expected: "a field name such as app, client_ip, tls.sni", Found: fmt.Sprintf("%q", name)}
		}
	}
	p.next()
	op, err := p.parseOp()
	if err != nil {
		return nil, err
	}
	valuePos := p.tok.pos
	values, err := p.parseValues(op)
	if err != nil {
		return nil, err
	}
	f := Cond(name, op, values...)
	if _, err := compile(f); err != nil {
		msg := strings.TrimPrefix(err.Error(), "store: ")
		return nil, &ParseError{Pos: valuePos + 1, Expected: "a value that fits the field", Found: msg, Reason: msg}
	}
	return f, nil
}

func (p *parser) parseOp() (Op, error) {
	const expected = "an operator (=, !=, <, >, <=, >=, in, not in, contains, starts with)"
	t := p.tok
	switch {
	case t.kind == tokOp:
		p.next()
		if t.text == "==" {
			return OpEq, nil
		}
		return Op(t.text), nil
	case t.isKeyword("in"), t.isKeyword("contains"):
		p.next()
		return Op(strings.ToLower(t.text)), nil
	case t.isKeyword("not"), t.isKeyword("starts"):
		second := map[string]string{"not": "in", "starts": "with"}[strings.ToLower(t.text)]
		p.next()
		if !p.tok.isKeyword(second) {
			return "", p.errorf(fmt.Sprintf("%q after %q", second, t.text))
		}
		p.next()
		return Op(strings.ToLower(t.text) + " " + second), nil
	}
	return "", p.errorf(expected)
}

func (p *parser) parseValues(op Op) ([]string, error) {
	if (op != OpIn && op != OpNotIn) || p.tok.kind != tokLParen {
		v, err := p.parseValue()
		return []string{v}, err
	}
	p.next()
	var values []string
	for {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		if p.tok.kind == tokRParen {
			p.next()
			return values, nil
		}
		if p.tok.kind != tokComma {
			return nil, p.errorf(`"," or ")"`)
		}
		p.next()
	}
}

func (p *parser) parseValue() (string, error) {
	if p.tok.kind != tokWord && p.tok.kind != tokString {
		return "", p.errorf("a value (a quoted string, a number or a bare word)")
	}
	v := p.tok.text
	p.next()
	return v, nil
}

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokError
	tokWord
	tokString
	tokOp
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind tokenKind
	text string // the word, the unquoted string, the operator or an error message
	pos  int    // 0-based byte offset
}

func (t token) isKeyword(k string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, k)
}

// lexer splits filter text into tokens. A bare word runs until white
// space or one of ( ) , " ' = ! < >.
type lexer struct {
	src string
	pos int
}

func (l *lexer) next() token {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: start}
	}
	c := l.src[l.pos]
	switch {
	case c == '(' || c == ')' || c == ',':
		l.pos++
		return token{kind: map[byte]tokenKind{'(': tokLParen, ')': tokRParen, ',': tokComma}[c], text: string(c), pos: start}
	case c == '"' || c == '\'':
		return l.lexString(c)
	case strings.IndexByte("=!<>", c) >= 0:
		return l.lexOp()
	}
	for l.pos < len(l.src) && !isSpace(l.src[l.pos]) && strings.IndexByte("(),\"'=!<>", l.src[l.pos]) < 0 {
		l.pos++
	}
	return token{kind: tokWord, text: l.src[start:l.pos], pos: start}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (l *lexer) lexOp() token {
	start := l.pos
	for _, op := range []string{"!=", "<=", ">=", "==", "=", "<", ">"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += len(op)
			return token{kind: tokOp, text: op, pos: start}
		}
	}
	l.pos++
	return token{kind: tokError, text: `"!" not followed by "="`, pos: start}
}

// lexString reads a quoted string with the escapes \\ \" \' \n \r \t \0
// \xHH and \uHHHH.
func (l *lexer) lexString(quote byte) token {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == quote:
			l.pos++
			return token{kind: tokString, text: b.String(), pos: start}
		case c == '\\':
			escape := l.pos
			if err := l.lexEscape(&b); err != "" {
				return token{kind: tokError, text: err, pos: escape}
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{kind: tokError, text: "a string without its closing quote", pos: start}
}

func (l *lexer) lexEscape(b *strings.Builder) string {
	l.pos++
	if l.pos >= len(l.src) {
		return "a backslash at the end of the filter"
	}
	c := l.src[l.pos]
	l.pos++
	if r, ok := map[byte]byte{'\\': '\\', '"': '"', '\'': '\'', 'n': '\n', 'r': '\r', 't': '\t', '0': 0}[c]; ok {
		b.WriteByte(r)
		return ""
	}
	digits := map[byte]int{'x': 2, 'u': 4}[c]
	if digits == 0 || l.pos+digits > len(l.src) {
		return fmt.Sprintf("an unknown escape \\%c", c)
	}
	var v rune
	for _, d := range l.src[l.pos : l.pos+digits] {
		n := strings.IndexRune("0123456789abcdef", d|0x20)
		if n < 0 {
			return fmt.Sprintf("a malformed escape \\%c%s", c, l.src[l.pos:l.pos+digits])
		}
		v = v<<4 | rune(n)
	}
	l.pos += digits
	if c == 'x' {
		b.WriteByte(byte(v))
	} else {
		b.WriteString(string(utf8.AppendRune(nil, v)))
	}
	return ""
}
