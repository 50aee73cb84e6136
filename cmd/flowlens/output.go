package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/flowlens/flowlens/record"
)

// writeRecords prints records as JSON Lines or as an aligned table.
func writeRecords(w io.Writer, format string, records []*record.Flow) error {
	if format == "table" {
		return writeTable(w, records)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

func writeTable(w io.Writer, records []*record.Flow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIRST SEEN\tL4\tCLIENT\tSERVER\tAPP\tPACKETS\tBYTES\tINFO")
	for _, r := range records {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n",
			r.FirstSeen.Format(time.DateTime), printable(r.L4),
			printable(endpoint(r.ClientIP, r.ClientPort)), printable(endpoint(r.ServerIP, r.ServerPort)),
			printable(r.App), r.C2SPackets+r.S2CPackets, r.C2SBytes+r.S2CBytes, printable(r.Info))
	}
	return tw.Flush()
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
