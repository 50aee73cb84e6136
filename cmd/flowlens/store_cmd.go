package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/flowlens/flowlens/geo"
	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/store"
	"github.com/flowlens/flowlens/web"
)

// errStoreUsage marks command-line errors of import and query, which
// exit with status 2.
var errStoreUsage = errors.New("usage")

// importBatch is the number of flows runImport writes per batch.
const importBatch = 10000

// storeFlags are the flags that pick the store of import and query.
type storeFlags struct {
	dataDir    string
	url        string
	clickHouse store.ClickHouseConfig
	// locate, if set, gives the country of each flow's addresses.
	locate store.Locator
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", store.DefaultDataDir(), "directory of the embedded database")
	fs.StringVar(&f.url, "store", "", `store backend: empty or "duckdb" for the embedded database, or a ClickHouse HTTP URL such as http://127.0.0.1:8123/`)
	addClickHouseFlags(fs, &f.clickHouse)
}

func (f *storeFlags) open(ctx context.Context) (store.Store, error) {
	if err := checkClickHouseFlags(f.url, f.clickHouse); err != nil {
		return nil, fmt.Errorf("%w: %v", errStoreUsage, err)
	}
	return store.Open(ctx, store.Config{URL: f.url, DataDir: f.dataDir, ClickHouse: f.clickHouse, Locate: f.locate})
}

// openExisting opens the store for reading: an embedded store must
// already exist, so that a mistyped --data-dir is an error rather than an
// empty answer.
func (f *storeFlags) openExisting(ctx context.Context) (store.Store, error) {
	if f.url == "" || strings.EqualFold(f.url, "duckdb") {
		if _, err := os.Stat(f.dataDir); err != nil {
			return nil, fmt.Errorf("no flows are stored under %s: %w (give the --data-dir that serve or import used)", f.dataDir, err)
		}
	}
	return f.open(ctx)
}

// parseInterspersed parses flags that may follow positional arguments and
// returns the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errStoreUsage, err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// runImport stores the flow records of JSON Lines files ("-" for standard
// input), or of capture files when importCapture is wired:
//
//	flowlens import [--data-dir DIR] [--store URL] FILE...
func runImport(args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: flowlens import [flags] FILE...

Stores the flows of each FILE: a capture (pcap, pcapng, either gzipped),
read as analyze reads it, or JSON Lines of flow records such as analyze
prints. "-" reads either from standard input; a capture read that way, or
from a pipe, is first copied to a temporary file in $TMPDIR. Importing a
file twice stores its flows twice. The flows before damage in a file are
stored: a last line cut inside its record is left out with a warning, and
any other bad line stops the import with an error.

Flags:
`)
		fs.PrintDefaults()
	}
	var sf storeFlags
	sf.register(fs)
	var geoip string
	fs.StringVar(&geoip, "geoip", "", "comma-separated MaxMind-format database `files`: store the country of each flow's client and server, as serve --geoip does")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%w: import needs at least one file of flow records (JSON Lines) or capture", errStoreUsage)
	}
	if geoip != "" {
		db, err := geo.Open(strings.Split(geoip, ",")...)
		if err != nil {
			return err
		}
		defer db.Close()
		countries := geo.NewResolver(db, geo.Self{})
		sf.locate = func(a netip.Addr) string { return countries.Locate(a).Country }
	}
	ctx := context.Background()
	s, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	for _, path := range files {
		n, err := importFile(ctx, s, path, logger)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "import: stored %d flows from %s\n", n, path)
	}
	return nil
}

// importFile stores the flows of one capture or JSON Lines file and
// returns how many it stored.
func importFile(ctx context.Context, s store.Store, path string, logger *slog.Logger) (int, error) {
	in := os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return 0, fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	info, err := in.Stat()
	if err != nil {
		return 0, fmt.Errorf("import: %w", err)
	}
	if info.IsDir() {
		return 0, fmt.Errorf("import %q: is a directory. Give a capture (pcap, pcapng, gzip) or JSON Lines of flow records", path)
	}
	br := bufio.NewReaderSize(in, 1<<20)
	head, _ := br.Peek(4)
	switch {
	case isCapture(head) && info.Mode().IsRegular() && path != "-":
		return importCapture(ctx, s, path, logger)
	case isCapture(head):
		return importCaptureStream(ctx, s, path, br, logger)
	case len(head) == 0:
		return 0, fmt.Errorf("import %q: the file is empty. Give a capture (pcap, pcapng, gzip) or JSON Lines of flow records", path)
	case !startsJSONObject(br):
		return 0, fmt.Errorf("import %q: neither a capture (pcap, pcapng, gzip) nor JSON Lines of flow records: it starts with bytes % x", path, head)
	}
	n, err := importJSONLines(ctx, s, br, logger)
	if err != nil {
		return n, fmt.Errorf("import %q: %w", path, err)
	}
	return n, nil
}

// isCapture reports whether a file starts with the magic number of pcap
// (either byte order, micro- or nanosecond), pcapng or gzip.
func isCapture(head []byte) bool {
	for _, magic := range [][]byte{{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, {0x4d, 0x3c, 0xb2, 0xa1},
		{0xa1, 0xb2, 0x3c, 0x4d}, {0x0a, 0x0d, 0x0d, 0x0a}, {0x1f, 0x8b}} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	return false
}

// startsJSONObject reports whether the first byte after any white space
// is "{", without consuming it.
func startsJSONObject(br *bufio.Reader) bool {
	head, _ := br.Peek(4096)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// importJSONLines stores the flow records of r, one JSON object a line,
// and returns how many it stored. A line that is not a flow record stops
// the import with its line number, after the flows before it are stored.
// A last line cut inside its JSON object, as when the program writing the
// file was stopped, is left out with a warning on logger instead.
func importJSONLines(ctx context.Context, s store.Store, r io.Reader, logger *slog.Logger) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	batch := make([]*record.Flow, 0, importBatch)
	stored := 0
	// stop stores the batch so far and returns err, which names the line,
	// with the count of flows stored.
	stop := func(err error) (int, error) {
		if werr := s.WriteFlows(ctx, batch); werr != nil {
			return stored, werr
		}
		stored += len(batch)
		if err == nil {
			return stored, nil
		}
		return stored, fmt.Errorf("%w; the %d flows before it were stored", err, stored)
	}
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		fl := &record.Flow{}
		if err := json.Unmarshal(sc.Bytes(), fl); err != nil {
			var syntax *json.SyntaxError
			if errors.As(err, &syntax) && syntax.Offset >= int64(len(sc.Bytes())) && !sc.Scan() && sc.Err() == nil {
				logger.Warn("import: the last line ends inside its flow record and is left out", "line", line)
				return stop(nil)
			}
			return stop(fmt.Errorf("line %d: %s", line, describeJSONError(err)))
		}
		if missing := missingFlowFields(fl); len(missing) > 0 {
			return stop(fmt.Errorf("line %d: not a flow record: %s missing or invalid", line, strings.Join(missing, ", ")))
		}
		batch = append(batch, fl)
		if len(batch) == importBatch {
			if err := s.WriteFlows(ctx, batch); err != nil {
				return stored, err
			}
			stored += len(batch)
			batch = batch[:0]
		}
	}
	if err := sc.Err(); err != nil {
		return stored, err
	}
	if err := s.WriteFlows(ctx, batch); err != nil {
		return stored, err
	}
	return stored + len(batch), nil
}

// describeJSONError words a decoding error of a flow record without Go's
// type names.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if i := strings.LastIndex(field, "plain."); i >= 0 {
			field = field[i+len("plain."):]
		}
		want := "a " + typeErr.Type.Kind().String()
		switch typeErr.Type.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.Slice:
			want = "a list"
		case reflect.Struct, reflect.Map, reflect.Pointer:
			want = "an object"
		}
		return fmt.Sprintf("field %s holds a JSON %s where %s is expected", field, typeErr.Value, want)
	}
	return "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

// missingFlowFields lists the fields that identify a flow but that fl
// lacks or holds in a form no record uses, and the schema when it is newer
// than this build writes.
func missingFlowFields(fl *record.Flow) []string {
	var missing []string
	if fl.Schema > record.SchemaVersion {
		missing = append(missing, fmt.Sprintf("schema %d (this build reads up to %d)", fl.Schema, record.SchemaVersion))
	}
	if fl.L4 == "" {
		missing = append(missing, "l4")
	}
	if _, err := netip.ParseAddr(fl.ClientIP); err != nil {
		missing = append(missing, "client_ip")
	}
	if _, err := netip.ParseAddr(fl.ServerIP); err != nil {
		missing = append(missing, "server_ip")
	}
	return missing
}

// queryOptions are the flags of flowlens query.
type queryOptions struct {
	storeFlags
	from, to string
	format   string
	limit    int
}

// runQuery prints the stored flows that a filter selects:
//
//	flowlens query 'FILTER' [--from TIME] [--to TIME] [--format jsonl|table|csv] [--data-dir DIR] [--store URL]
//
// JSON Lines print each flow as flowlens analyze does, ordered by
// first_seen and then by flow key.
func runQuery(args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: flowlens query [flags] FILTER

Prints the stored flows that FILTER selects. A filter compares fields
with = != < > <= >= in, not in, contains, starts with, and addresses with
CIDR prefixes, joined by and, or, not and parentheses. The filter true
selects every flow. docs/query.md lists the fields and gives examples:

  flowlens query 'app = "TLS.YouTube" and not client_ip in 10.0.0.0/8'
  flowlens query 'tls.sni contains "google" or dns.query starts with "api."'
  flowlens query 'bytes > 1000000' --from 2024-05-01 --format table

Flags:
`)
		fs.PrintDefaults()
	}
	var o queryOptions
	o.register(fs)
	fs.StringVar(&o.from, "from", "", "first first_seen to include: RFC 3339, a date (UTC) or Unix seconds")
	fs.StringVar(&o.to, "to", "", "first_seen to stop before: RFC 3339, a date (UTC) or Unix seconds")
	fs.StringVar(&o.format, "format", "jsonl", "output format: "+flowFormats)
	fs.IntVar(&o.limit, "limit", 0, "print at most this many flows, 0 for all")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return fmt.Errorf(`%w: query takes one filter, such as 'app = "TLS.YouTube"' or 'true'`, errStoreUsage)
	}
	if err := checkFormat(o.format); err != nil {
		return fmt.Errorf("%w: %v", errStoreUsage, err)
	}
	q, err := o.query(positional[0])
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, err := o.openExisting(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	flows, err := s.QueryFlows(ctx, q)
	if err != nil {
		return err
	}
	sortFlows(flows)
	return writeFlows(os.Stdout, o.format, flows)
}

func (o *queryOptions) query(filter string) (store.Query, error) {
	var q store.Query
	f, err := store.ParseFilter(filter)
	if err != nil {
		return q, fmt.Errorf("%w: %v", errStoreUsage, err)
	}
	if o.limit < 0 {
		return q, fmt.Errorf("%w: invalid --limit %d: use 0 for all flows or a positive number", errStoreUsage, o.limit)
	}
	q.Filter, q.Limit = f, o.limit
	for _, bound := range []struct {
		flag, text string
		dst        *time.Time
	}{{"--from", o.from, &q.From}, {"--to", o.to, &q.To}} {
		if bound.text == "" {
			continue
		}
		t, err := web.ParseTime(bound.text)
		if err != nil {
			return q, fmt.Errorf("%w: %s: %v", errStoreUsage, bound.flag, err)
		}
		*bound.dst = t
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, fmt.Errorf("%w: --from %s is not before --to %s, so no flow can match", errStoreUsage, o.from, o.to)
	}
	return q, nil
}

// flowKeyLess orders flows by first_seen, then by the flow key, the order
// of flowlens analyze.
func flowKeyLess(a, b *record.Flow) bool {
	switch {
	case !a.FirstSeen.Equal(b.FirstSeen):
		return a.FirstSeen.Before(b.FirstSeen)
	case a.ClientIP != b.ClientIP:
		return a.ClientIP < b.ClientIP
	case a.ClientPort != b.ClientPort:
		return a.ClientPort < b.ClientPort
	case a.ServerIP != b.ServerIP:
		return a.ServerIP < b.ServerIP
	case a.ServerPort != b.ServerPort:
		return a.ServerPort < b.ServerPort
	case a.L4 != b.L4:
		return a.L4 < b.L4
	}
	return a.VLAN < b.VLAN
}

// sortFlows orders flows as flowlens analyze does. Flows equal in time
// and key, which analyze prints in whichever order its workers end them,
// are ordered by their JSON text so that the output is deterministic.
func sortFlows(flows []*record.Flow) {
	text := make(map[*record.Flow]string, len(flows))
	for _, fl := range flows {
		b, _ := json.Marshal(fl)
		text[fl] = string(b)
	}
	sort.Slice(flows, func(i, j int) bool {
		a, b := flows[i], flows[j]
		if flowKeyLess(a, b) || flowKeyLess(b, a) {
			return flowKeyLess(a, b)
		}
		return text[a] < text[b]
	})
}
