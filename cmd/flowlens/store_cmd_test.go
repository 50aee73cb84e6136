package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/internal/geotest"
	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/web"
)

// captureStdout runs f with os.Stdout sent to a pipe and returns the output.
func captureStdout(t *testing.T, f func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	ferr := f()
	os.Stdout = old
	w.Close()
	out := <-done
	if ferr != nil {
		t.Fatal(ferr)
	}
	return string(out)
}

const testFlows = "../../store/testdata/flows.jsonl"

// wantLines returns the records of a JSON Lines file as flowlens analyze
// prints them: ordered by first_seen and key, one MarshalJSON per line.
func wantLines(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var flows []*record.Flow
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		fl := &record.Flow{}
		if err := json.Unmarshal([]byte(line), fl); err != nil {
			t.Fatal(err)
		}
		flows = append(flows, fl)
	}
	sortFlows(flows)
	var buf bytes.Buffer
	if err := writeFlows(&buf, "jsonl", flows); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestImportThenQueryTrue(t *testing.T) {
	dir := t.TempDir()
	if err := runImport([]string{"--data-dir", dir, testFlows}); err != nil {
		t.Fatal(err)
	}
	got := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", dir}) })
	if diff := cmp.Diff(wantLines(t, testFlows), got); diff != "" {
		t.Errorf("query true after import (-want +got):\n%s", diff)
	}
}

func TestQueryFilterAndFormats(t *testing.T) {
	dir := t.TempDir()
	if err := runImport([]string{testFlows, "--data-dir", dir}); err != nil {
		t.Fatal(err)
	}
	out := captureStdout(t, func() error {
		return runQuery([]string{"--data-dir", dir, "--format", "csv", `master_protocol = DNS and not client_ip in 10.0.0.0/8`})
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if want := strings.Join(web.CSVHeader(), ","); lines[0] != want {
		t.Errorf("csv header = %q, want the API export's %q", lines[0], want)
	}
	if len(lines) < 2 {
		t.Fatalf("no DNS flows in the csv output:\n%s", out)
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, ",10.") {
			t.Errorf("flow from 10.0.0.0/8 passed the filter: %s", l)
		}
	}
	table := captureStdout(t, func() error {
		return runQuery([]string{"--data-dir", dir, "--format", "table", "--limit", "3", "true"})
	})
	if n := strings.Count(table, "\n"); n != 4 {
		t.Errorf("table with --limit 3 has %d lines, want 4:\n%s", n, table)
	}
}

func TestQueryUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--data-dir", dir},
		{"--data-dir", dir, "app ="},
		{"--data-dir", dir, "--format", "xml", "true"},
		{"--data-dir", dir, "--from", "yesterday", "true"},
		{"--data-dir", dir, "--limit", "-1", "true"},
		{"--data-dir", dir, "--from", "2024-05-02", "--to", "2024-05-01", "true"},
	} {
		err := runQuery(args)
		if !errors.Is(err, errStoreUsage) {
			t.Errorf("runQuery(%q) = %v, want a usage error", args, err)
		}
	}
}

// TestImportCaptureThenQuery checks that importing a capture and querying
// every flow prints what analyze prints for it in each format, flow IDs
// aside.
func TestImportCaptureThenQuery(t *testing.T) {
	dir := t.TempDir()
	pcap := "../../testdata/iphone.pcap"
	if err := runImport([]string{"--data-dir", dir, pcap}); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "table", "csv"} {
		queried := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", dir, "--format", format}) })
		analyzed := captureStdout(t, func() error { return runAnalyze([]string{"-r", pcap, "--format", format}, discardLogger()) })
		want, got := strings.Split(analyzed, "\n"), strings.Split(queried, "\n")
		switch format {
		case "jsonl":
			want, got = withoutIDs(t, analyzed), withoutIDs(t, queried)
		case "csv":
			// The id is the first column.
			for _, lines := range [][]string{want, got} {
				for i, l := range lines {
					_, lines[i], _ = strings.Cut(l, ",")
				}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: query true after import vs analyze (-analyze +query):\n%s", format, diff)
		}
		if format != "table" {
			continue
		}
		// The table joins address and port, IPv6 addresses in brackets.
		row := regexp.MustCompile(`(?m)^2020-02-23T10:42:33\.607048Z +UDP +\[fe80::c42c:3ff:fe60:6a64\]:5353 +\[ff02::fb\]:5353 +MDNS +3 +2067 +Luca’s iMac\._odisk\._tcp\.local$`)
		if !row.MatchString(analyzed) {
			t.Errorf("table lacks the IPv6 MDNS flow of %s:\n%s", pcap, analyzed)
		}
		if strings.Contains(analyzed, " \n") {
			t.Errorf("table has lines that end in spaces:\n%s", analyzed)
		}
	}
}

// TestImportWithCountries imports a capture with a country database and
// filters on the stored countries.
func TestImportWithCountries(t *testing.T) {
	dir := t.TempDir()
	pcap := "../../testdata/iphone.pcap"
	if err := runImport([]string{"--data-dir", dir, "--geoip", geotest.AppleInUS(t), pcap}); err != nil {
		t.Fatal(err)
	}
	all := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", dir}) })
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(all), "\n") {
		if strings.Contains(line, `"server_ip":"17.`) {
			want = append(want, line)
		}
	}
	if len(want) == 0 {
		t.Fatal("no flow to Apple's 17.0.0.0/8 in the capture")
	}
	us := captureStdout(t, func() error { return runQuery([]string{"server_country = US", "--data-dir", dir}) })
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(us), "\n")); diff != "" {
		t.Errorf("server_country = US vs flows to 17.0.0.0/8 (-want +got):\n%s", diff)
	}
}

// TestImportCaptureFromPipe imports a capture given as "-" and fed through
// a pipe, which can be read only once, and expects the flows that importing
// the file itself stores.
func TestImportCaptureFromPipe(t *testing.T) {
	pcap := "../../testdata/iphone.pcap"
	feedStdin(t, pcap)
	piped, direct := t.TempDir(), t.TempDir()
	if err := runImport([]string{"--data-dir", piped, "-"}); err != nil {
		t.Fatal(err)
	}
	if err := runImport([]string{"--data-dir", direct, pcap}); err != nil {
		t.Fatal(err)
	}
	want := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", direct}) })
	got := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", piped}) })
	if diff := cmp.Diff(withoutIDs(t, want), withoutIDs(t, got)); diff != "" {
		t.Errorf("flows imported from a pipe vs from the file (-file +pipe):\n%s", diff)
	}
}

// TestImportTruncatedCapture imports a pcap that ends inside its file
// header: import reads captures through analyze's pipeline, so it gives
// the capture reader's error.
func TestImportTruncatedCapture(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "x.pcap")
	os.WriteFile(pcap, []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0}, 0o600)
	err := runImport([]string{"--data-dir", dir, pcap})
	if err == nil || !strings.Contains(err.Error(), "file ends inside the pcap file header") {
		t.Errorf("import of a truncated pcap = %v, want the capture reader's error", err)
	}
}

// withoutIDs re-encodes JSON Lines records with their id removed, since
// import gives flows a run ID that analyze does not.
func withoutIDs(t *testing.T, lines string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		fl := &record.Flow{}
		if err := json.Unmarshal([]byte(line), fl); err != nil {
			t.Fatalf("%v in %q", err, line)
		}
		fl.ID = ""
		b, err := json.Marshal(fl)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestImportCutCapture imports a capture that ends inside a packet
// record: as in analyze, that is a warning, and the flows before the cut
// are stored.
func TestImportCutCapture(t *testing.T) {
	dir := t.TempDir()
	whole, err := os.ReadFile("../../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	pcap := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(pcap, whole[:len(whole)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := runImport([]string{"--data-dir", dir, pcap}); err != nil {
		t.Fatalf("import of a capture cut inside a record: %v", err)
	}
	queried := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", dir}) })
	analyzed := captureStdout(t, func() error { return runAnalyze([]string{"-r", pcap}, discardLogger()) })
	if diff := cmp.Diff(withoutIDs(t, analyzed), withoutIDs(t, queried)); diff != "" {
		t.Errorf("stored flows vs analyze of the cut capture (-analyze +query):\n%s", diff)
	}
}

func TestImportRejectsNonRecords(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"empty.jsonl", "", "the file is empty"},
		{"subdir", "", "is a directory"},
		{"text.pcap", "hello, this is not a capture\n", "neither a capture"},
		{"object.jsonl", "{\"foo\":1}\n", "line 1: not a flow record: l4, client_ip, server_ip missing or invalid"},
		{"second.jsonl", wantFirstLine(t) + "{\"schema\":1,\"l4\":\"TCP\"}\n", "line 2: not a flow record: client_ip, server_ip missing or invalid"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		write := func() error { return os.WriteFile(path, []byte(tt.content), 0o600) }
		if tt.name == "subdir" {
			write = func() error { return os.Mkdir(path, 0o700) }
		}
		if err := write(); err != nil {
			t.Fatal(err)
		}
		err := runImport([]string{"--data-dir", filepath.Join(dir, "data"), path})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("import %s = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestImportJSONLinesDamage imports JSON Lines files with a damaged line
// and checks that the flows before it are stored. A last line cut inside
// its record is a warning, and any other damage is an error with the
// count of flows stored.
func TestImportJSONLinesDamage(t *testing.T) {
	content, err := os.ReadFile(testFlows)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(content), "\n")
	head := strings.Join(lines[:3], "")
	tests := []struct {
		name, content, wantErr string
		wantFlows              int
	}{
		{"cut last line", head + lines[3][:40], "", 3},
		{"wrong type", head + `{"schema":1,"c2s_packets":"x"}` + "\n" + lines[4], "line 4: field c2s_packets holds a JSON string where a number is expected; the 3 flows before it were stored", 3},
		{"cut middle line", head + lines[3][:40] + "\n" + lines[4], "line 4: invalid JSON", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "flows.jsonl")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(dir, "data")
			err := runImport([]string{"--data-dir", data, path})
			if tt.wantErr == "" && err != nil {
				t.Errorf("import: %v, want success with a warning", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("import: %v, want an error containing %q", err, tt.wantErr)
			}
			out := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", data}) })
			if got := strings.Count(out, "\n"); got != tt.wantFlows {
				t.Errorf("stored %d flows, want %d", got, tt.wantFlows)
			}
		})
	}
}

// wantFirstLine returns the first record of testFlows as one JSON line.
func wantFirstLine(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(testFlows)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return first + "\n"
}

// TestQueryOutputsKeepControlsAndFormulasOut imports a flow whose
// application name carries a terminal escape and whose info starts with a
// tab and a formula, and checks the table and CSV outputs.
func TestQueryOutputsKeepControlsAndFormulasOut(t *testing.T) {
	var fl map[string]any
	if err := json.Unmarshal([]byte(wantFirstLine(t)), &fl); err != nil {
		t.Fatal(err)
	}
	fl["app"] = "TLS\x1b[31m\a"
	fl["info"] = "\t=HYPERLINK(\"http://127.0.0.1/\")"

	line, err := json.Marshal(fl)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "hostile.jsonl")
	if err := os.WriteFile(path, append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := runImport([]string{"--data-dir", data, path}); err != nil {
		t.Fatal(err)
	}

	for _, format := range []string{"table", "csv"} {
		out := captureStdout(t, func() error { return runQuery([]string{"true", "--data-dir", data, "--format", format}) })
		if i := strings.IndexAny(out, "\x1b\a"); i >= 0 {
			t.Errorf("%s output has control character %q at byte %d:\n%s", format, out[i], i, out)
		}
		if format != "csv" {
			continue
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("csv output: %d rows, %v; want a header and one row", len(rows), err)
		}
		for i, cell := range rows[1] {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("csv column %s = %q, starts with a formula character", rows[0][i], cell)
			}
		}
	}
}
