package risk

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// maxListBytes caps one downloaded or read blocklist.
const maxListBytes = 64 << 20

// blocklists is one loaded generation of the configured lists; Reload
// replaces it whole.
type blocklists struct {
	ja3      map[string]string // lowercase MD5 hex -> listing reason
	hassh    map[string]string
	certSHA1 map[string]string
	ips      ipSet
}

// ipSet matches addresses against listed prefixes, one map per prefix
// length, so a lookup costs one map probe per distinct length.
type ipSet struct {
	byPrefix map[netip.Prefix]string
	lengths  []int // distinct prefix lengths, longest first
}

func (s *ipSet) add(p netip.Prefix, source string) {
	if s.byPrefix == nil {
		s.byPrefix = map[netip.Prefix]string{}
	}
	p = p.Masked()
	s.byPrefix[p] = source
	if !slices.Contains(s.lengths, p.Bits()) {
		s.lengths = append(s.lengths, p.Bits())
		slices.Sort(s.lengths)
		slices.Reverse(s.lengths)
	}
}

func (s *ipSet) lookup(a netip.Addr) (string, bool) {
	a = a.Unmap()
	for _, bits := range s.lengths {
		if bits > a.BitLen() {
			continue
		}
		p, err := a.Prefix(bits)
		if err != nil {
			continue
		}
		if src, ok := s.byPrefix[p]; ok {
			return src, true
		}
	}
	return "", false
}

// Reload loads every configured blocklist again and swaps the new
// generation in at once, so that flows judged meanwhile see either all the
// old lists or all the new ones. When a source fails, the old lists stay
// and the error names the source.
func (e *Evaluator) Reload(ctx context.Context) error {
	cfg := e.cfg.Blocklists
	next := &blocklists{ja3: map[string]string{}, hassh: map[string]string{}, certSHA1: map[string]string{}}
	loads := []struct {
		sources []string
		parse   func(io.Reader, string) error
	}{
		{cfg.JA3, func(r io.Reader, src string) error { return parseFingerprintCSV(r, 0, next.ja3) }},
		{cfg.HASSH, func(r io.Reader, src string) error { return parseFingerprintCSV(r, 0, next.hassh) }},
		{cfg.CertSHA1, func(r io.Reader, src string) error { return parseFingerprintCSV(r, 1, next.certSHA1) }},
		{cfg.IPs, func(r io.Reader, src string) error { return parseIPList(r, src, &next.ips) }},
	}
	for _, l := range loads {
		for _, src := range l.sources {
			if err := e.loadSource(ctx, src, l.parse); err != nil {
				e.log.Error("risk: blocklist reload failed, keeping the previous lists", "source", src, "err", err)
				return err
			}
		}
	}
	e.lists.Store(next)
	e.log.Info("risk: blocklists loaded", "ja3", len(next.ja3), "hassh", len(next.hassh),
		"cert_sha1", len(next.certSHA1), "ip_prefixes", len(next.ips.byPrefix))
	return nil
}

func (e *Evaluator) loadSource(ctx context.Context, src string, parse func(io.Reader, string) error) error {
	rc, err := e.open(ctx, src)
	if err != nil {
		return fmt.Errorf("risk: open blocklist %q: %w", src, err)
	}
	defer rc.Close()
	if err := parse(io.LimitReader(rc, maxListBytes), src); err != nil {
		return fmt.Errorf("risk: blocklist %q: %w", src, err)
	}
	return nil
}

// open returns the body of an http(s) URL or the contents of a file.
func (e *Evaluator) open(ctx context.Context, src string) (io.ReadCloser, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return os.Open(src)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	return resp.Body, nil
}

// parseFingerprintCSV reads abuse.ch SSLBL CSV: '#' comment lines, then
// records whose column col holds a hex digest and whose last column is
// the listing reason. JA3 lists put the MD5 first (md5,first seen,last
// seen,reason); certificate lists put the SHA-1 second (date,sha1,reason).
func parseFingerprintCSV(r io.Reader, col int, into map[string]string) error {
	cr := csv.NewReader(&commentStripper{r: bufio.NewReader(r)})
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) <= col {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("line %d: %d columns, expected more than %d", line, len(rec), col)
		}
		digest := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(rec[col]), ":", ""))
		if !isHex(digest) {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("line %d: %q is not a hexadecimal digest", line, rec[col])
		}
		reason := ""
		if len(rec) > col+1 {
			reason = strings.TrimSpace(rec[len(rec)-1])
		}
		into[digest] = reason
	}
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// parseIPList reads one address or prefix per line; '#' starts a comment.
func parseIPList(r io.Reader, src string, into *ipSet) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, err := netip.ParsePrefix(line)
		if err != nil {
			a, aerr := netip.ParseAddr(line)
			if aerr != nil {
				return fmt.Errorf("line %d: %q is not an address or prefix", n, line)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		into.add(p, src)
	}
	return sc.Err()
}

// commentStripper drops lines starting with '#' so that encoding/csv sees
// only records.
type commentStripper struct {
	r   *bufio.Reader
	buf []byte
}

func (c *commentStripper) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		line, err := c.r.ReadBytes('\n')
		if len(line) > 0 && !strings.HasPrefix(strings.TrimSpace(string(line)), "#") {
			c.buf = line
		}
		if err != nil && len(c.buf) == 0 {
			return 0, err
		}
		if err != nil {
			break
		}
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}
