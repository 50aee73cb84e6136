package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/web"
)

// flowFormats names the output formats of analyze and query, for their
// flag help and errors.
const flowFormats = "jsonl, table or csv"

// checkFormat returns an error for a format that writeFlows does not know.
func checkFormat(format string) error {
	switch format {
	case "jsonl", "table", "csv":
		return nil
	}
	return fmt.Errorf("invalid --format %q: use %s", format, flowFormats)
}

// writeFlows prints flow records as JSON Lines, an aligned table or CSV.
func writeFlows(w io.Writer, format string, flows []*record.Flow) error {
	switch format {
	case "table":
		return writeFlowTable(w, flows)
	case "csv":
		return writeFlowCSV(w, flows)
	}
	if err := checkFormat(format); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, fl := range flows {
		if err := enc.Encode(fl); err != nil {
			return err
		}
	}
	return nil
}

// writeFlowCSV prints the columns of the web API's CSV export, with
// control characters replaced as in the table.
func writeFlowCSV(w io.Writer, flows []*record.Flow) error {
	cw := csv.NewWriter(w)
	cw.Write(web.CSVHeader())
	for _, fl := range flows {
		cells := web.CSVRecord(fl)
		for i, c := range cells {
			cells[i] = printable(c)
		}
		cw.Write(cells)
	}
	cw.Flush()
	return cw.Error()
}

// writeFlowTable prints the flows in aligned columns. The lines end
// without the padding that tabwriter gives an empty last cell.
func writeFlowTable(w io.Writer, flows []*record.Flow) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIRST_SEEN\tL4\tCLIENT\tSERVER\tAPP\tPACKETS\tBYTES\tINFO")
	for _, fl := range flows {
		cells := []string{firstSeen(fl), fl.L4, endpoint(fl.ClientIP, fl.ClientPort),
			endpoint(fl.ServerIP, fl.ServerPort), fl.App, totalPackets(fl), totalBytes(fl), fl.Info}
		for i, c := range cells {
			cells[i] = printable(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for line := range bytes.Lines(buf.Bytes()) {
		bw.Write(bytes.TrimRight(line[:len(line)-1], " "))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// firstSeen is a flow's first packet time as its JSON record gives it.
func firstSeen(fl *record.Flow) string {
	return fl.FirstSeen.UTC().Format(record.TimeLayout)
}

func totalPackets(fl *record.Flow) string {
	return strconv.FormatUint(fl.C2SPackets+fl.S2CPackets, 10)
}

func totalBytes(fl *record.Flow) string {
	return strconv.FormatUint(fl.C2SBytes+fl.S2CBytes, 10)
}

func endpoint(ip string, port uint16) string {
	if port == 0 {
		return ip
	}
	if strings.Contains(ip, ":") {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

// printable replaces control characters with '?', so that a value from the
// wire or from an imported file cannot move the cursor or recolour a
// terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
