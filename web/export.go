package web

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// exportPageSize is the page size of the export's store queries.
const exportPageSize = 1000

// csvColumns are the CSV export's columns, named as in the flow record.
var csvColumns = []string{
	"id", "first_seen", "last_seen", "vlan", "ip_version", "l4", "client_ip", "client_port", "server_ip", "server_port",
	"c2s_packets", "c2s_bytes", "s2c_packets", "s2c_bytes", "app", "category", "breed", "confidence", "info",
	"risks", "risk_score", "tls.sni", "tls.ja3", "tls.ja3s", "tls.ja4", "tls.version",
}

func (s *server) handleHistoryExport(w http.ResponseWriter, r *http.Request) {
	q, err := parseHistoryQuery(r, time.Now())
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	format := r.URL.Query().Get("format")
	var write func(io.Writer, []record.Flow) error
	switch format {
	case "csv":
		write = writeCSV
	case "jsonl":
		write = writeJSONLines
	default:
		s.writeError(w, r, http.StatusBadRequest, (&paramError{name: "format", value: format, want: "csv or jsonl"}).Error())
		return
	}

	// The first page is read before any byte is written so that a bad
	// filter still gets a JSON error with status 400.
	q.Page, q.Size = 1, exportPageSize
	flows, total, err := s.history.Query(r.Context(), q)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	s.startDownload(w, format)
	if format == "csv" {
		if err := writeCSVHeader(w); err != nil {
			s.logger.Warn("web: export failed", "err", err)
			return
		}
	}
	s.exportPages(w, r, q, flows, min(total, s.cfg.ExportMaxRows), write)
}

func (s *server) startDownload(w http.ResponseWriter, format string) {
	name := "flows-" + time.Now().UTC().Format("20060102-150405")
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson")
		name += ".jsonl"
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// exportPages writes flows, then the following pages, until limit rows.
func (s *server) exportPages(w http.ResponseWriter, r *http.Request, q HistoryQuery, flows []record.Flow, limit int, write func(io.Writer, []record.Flow) error) {
	written := 0
	for len(flows) > 0 && written < limit {
		flows = flows[:min(len(flows), limit-written)]
		if err := write(w, flows); err != nil {
			s.logger.Warn("web: export failed", "written", written, "err", err)
			return
		}
		written += len(flows)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		q.Page++
		var err error
		if flows, _, err = s.history.Query(r.Context(), q); err != nil {
			// The status line has gone out, so the download ends short.
			s.logger.Warn("web: export failed", "written", written, "err", err)
			return
		}
	}
}

func writeJSONLines(w io.Writer, flows []record.Flow) error {
	enc := json.NewEncoder(w)
	for i := range flows {
		if err := enc.Encode(&flows[i]); err != nil {
			return err
		}
	}
	return nil
}

func writeCSVHeader(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func writeCSV(w io.Writer, flows []record.Flow) error {
	cw := csv.NewWriter(w)
	for i := range flows {
		if err := cw.Write(CSVRecord(&flows[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVCell returns v ready for a CSV cell: a value that starts with a
// spreadsheet formula character (=, +, -, @, tab or carriage return) gets
// a ' in front, so that opening the file in a spreadsheet does not run a
// formula taken from the wire.
func CSVCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// CSVHeader returns the names of the CSV export's columns.
func CSVHeader() []string { return slices.Clone(csvColumns) }

// CSVRecord returns the CSV export's columns of f, each through CSVCell.
func CSVRecord(f *record.Flow) []string {
	var t record.TLS
	if f.TLS != nil {
		t = *f.TLS
	}
	values := []string{
		f.ID, timeCell(f.FirstSeen), timeCell(f.LastSeen), uintCell(uint64(f.VLAN)), uintCell(uint64(f.IPVersion)), f.L4,
		f.ClientIP, uintCell(uint64(f.ClientPort)), f.ServerIP, uintCell(uint64(f.ServerPort)),
		countCell(f.C2SPackets), countCell(f.C2SBytes), countCell(f.S2CPackets), countCell(f.S2CBytes),
		f.App, f.Category, f.Breed, f.Confidence, f.Info, strings.Join(f.Risks, ";"), uintCell(uint64(f.RiskScore)),
		t.SNI, t.JA3, t.JA3S, t.JA4, t.Version,
	}
	for i, v := range values {
		values[i] = CSVCell(v)
	}
	return values
}

// uintCell leaves zero empty, as the flow record leaves unknown numbers out.
func uintCell(n uint64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatUint(n, 10)
}

// countCell writes every number, zero included: packet and byte counts are
// always known.
func countCell(n uint64) string { return strconv.FormatUint(n, 10) }

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(record.TimeLayout)
}
