package web

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"

	"github.com/flowlens/flowlens/record"
)

// This file evaluates the filter text the explorer builds, for the test
// History only; the store has the real parser.

// fieldValues returns the values of a filter field in f, as text.
func fieldValues(f *record.Flow, field string) []string {
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	num := func(n uint64) []string { return []string{strconv.FormatUint(n, 10)} }
	country := func(ip string) []string {
		addr, _ := netip.ParseAddr(ip)
		return one(fakeLocator{}.Locate(addr).Country)
	}
	switch field {
	case "app":
		return one(f.App)
	case "master_protocol":
		return one(f.MasterProtocol)
	case "category":
		return one(f.Category)
	case "l4":
		return one(f.L4)
	case "client_ip":
		return one(f.ClientIP)
	case "server_ip":
		return one(f.ServerIP)
	case "client_port":
		return num(uint64(f.ClientPort))
	case "server_port":
		return num(uint64(f.ServerPort))
	case "client_country":
		return country(f.ClientIP)
	case "server_country":
		return country(f.ServerIP)
	case "info":
		return one(f.Info)
	case "risks":
		return f.Risks
	case "bytes":
		return num(totalBytes(f))
	}
	if f.TLS != nil {
		switch field {
		case "tls.sni":
			return one(f.TLS.SNI)
		case "tls.ja3":
			return one(f.TLS.JA3)
		}
	}
	return nil
}

type token struct {
	text   string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, token{text: string(c)})
			i++
		case c == '"':
			var b strings.Builder
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("store: unterminated string")
			}
			i++
			toks = append(toks, token{text: b.String(), quoted: true})
		case strings.ContainsRune("=!<>", rune(c)):
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		default:
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_' || s[j] == '.') {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("store: unexpected %q", c)
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	toks []token
	pos  int
}

type predicate func(*record.Flow) bool

func parseFilter(s string) (predicate, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	pred, err := p.or()
	if err == nil && p.pos != len(p.toks) {
		err = fmt.Errorf("store: unexpected %q", p.toks[p.pos].text)
	}
	return pred, err
}

func (p *parser) peek(word string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && p.toks[p.pos].text == word
}

func (p *parser) next() (token, error) {
	if p.pos >= len(p.toks) {
		return token{}, errors.New("store: unexpected end of filter")
	}
	p.pos++
	return p.toks[p.pos-1], nil
}

func (p *parser) or() (predicate, error) {
	left, err := p.and()
	for err == nil && p.peek("or") {
		p.pos++
		var right predicate
		if right, err = p.and(); err == nil {
			l := left
			left = func(f *record.Flow) bool { return l(f) || right(f) }
		}
	}
	return left, err
}

func (p *parser) and() (predicate, error) {
	left, err := p.unary()
	for err == nil && p.peek("and") {
		p.pos++
		var right predicate
		if right, err = p.unary(); err == nil {
			l := left
			left = func(f *record.Flow) bool { return l(f) && right(f) }
		}
	}
	return left, err
}

func (p *parser) unary() (predicate, error) {
	switch {
	case p.peek("not"):
		p.pos++
		inner, err := p.unary()
		return func(f *record.Flow) bool { return inner != nil && !inner(f) }, err
	case p.peek("("):
		p.pos++
		inner, err := p.or()
		if err == nil && !p.peek(")") {
			err = errors.New("store: missing )")
		}
		p.pos++
		return inner, err
	}
	return p.term()
}

func (p *parser) term() (predicate, error) {
	field, err := p.next()
	if err != nil {
		return nil, err
	}
	op, err := p.next()
	if err != nil {
		return nil, err
	}
	switch {
	case op.text == "not" && p.peek("in"), op.text == "starts" && p.peek("with"):
		p.pos++
		op.text += " " + p.toks[p.pos-1].text
	}
	var values []string
	if op.text == "in" || op.text == "not in" {
		values, err = p.list()
	} else {
		var v token
		v, err = p.next()
		values = []string{v.text}
	}
	if err != nil {
		return nil, err
	}
	return func(f *record.Flow) bool { return matchValues(fieldValues(f, field.text), op.text, values) }, nil
}

func (p *parser) list() ([]string, error) {
	if !p.peek("(") {
		return nil, errors.New("store: in needs a list")
	}
	p.pos++
	var values []string
	for {
		v, err := p.next()
		if err != nil {
			return nil, err
		}
		values = append(values, v.text)
		if p.peek(")") {
			p.pos++
			return values, nil
		}
		if !p.peek(",") {
			return nil, errors.New("store: missing , in list")
		}
		p.pos++
	}
}

func matchValues(have []string, op string, want []string) bool {
	if op == "!=" || op == "not in" {
		return !matchValues(have, map[string]string{"!=": "=", "not in": "in"}[op], want)
	}
	for _, h := range have {
		for _, w := range want {
			if compareOp(h, op, w) {
				return true
			}
		}
	}
	return false
}

func compareOp(have, op, want string) bool {
	hn, herr := strconv.ParseFloat(have, 64)
	wn, werr := strconv.ParseFloat(want, 64)
	numeric := herr == nil && werr == nil
	switch op {
	case "=", "in":
		return have == want
	case "contains":
		return strings.Contains(have, want)
	case "starts with":
		return strings.HasPrefix(have, want)
	case "<":
		return numeric && hn < wn
	case ">":
		return numeric && hn > wn
	case "<=":
		return numeric && hn <= wn
	case ">=":
		return numeric && hn >= wn
	}
	return false
}
