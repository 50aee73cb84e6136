package dpi

import "bytes"

// Mining recognises cryptocurrency mining pools' Stratum protocol: JSON-RPC
// requests, one per line, whose first method is the miner's subscription
// or login ("mining.subscribe", "mining.authorize", "login",
// "eth_submitLogin").
type Mining struct{}

// Name returns "Mining".
func (Mining) Name() string { return "Mining" }

var miningMethods = []string{"mining.subscribe", "mining.authorize", "mining.extranonce.subscribe", "login", "eth_submitLogin"}

// miningMaxLine bounds the search for the first request's method.
const miningMaxLine = 4096

// Inspect reads the method of the client's first request.
func (Mining) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	if p.Dir != ClientToServer {
		return NeedMore
	}
	b := f.Stream(ClientToServer)
	if !hasPrefix(b, "{") {
		return NotMine
	}
	method, ok := jsonStringField(b[:min(len(b), miningMaxLine)], "method")
	if !ok {
		return NotMine
	}
	for _, m := range miningMethods {
		if string(method) == m {
			return claim(f, "Mining", "")
		}
	}
	return NotMine
}

// jsonStringField finds `"name"`, a colon and a string value in a JSON
// text, and returns the value without its quotes. It does not parse the
// JSON: a key of the same name in a nested object may be found first.
func jsonStringField(b []byte, name string) ([]byte, bool) {
	i := bytes.Index(b, []byte(`"`+name+`"`))
	if i < 0 {
		return nil, false
	}
	rest := bytes.TrimLeft(b[i+len(name)+2:], " \t")
	if len(rest) == 0 || rest[0] != ':' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t")
	if len(rest) == 0 || rest[0] != '"' {
		return nil, false
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 {
		return nil, false
	}
	return rest[1 : 1+end], true
}
