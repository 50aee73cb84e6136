// Command flowlens watches network traffic and explains it as flows.
//
//	flowlens analyze -r FILE [--format jsonl|table|csv] print flow records of a capture
//	flowlens serve (-r FILE | -i IFACE) [--listen ADDR] serve the live web UI and API
//	flowlens import FILE...                            store flows of captures or JSON Lines
//	flowlens query FILTER                              print stored flows
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
)

const usage = `flowlens: network flows with their applications, handshakes and issues

Usage:
  flowlens analyze -r FILE [flags]    read a capture, print flow records (JSON Lines)
  flowlens serve -r FILE | -i IFACE   capture, serve the web UI and API, store flows
  flowlens import FILE...             store the flows of captures or JSON Lines files
  flowlens query FILTER               print stored flows that match a filter
  flowlens help COMMAND               flags of a command
  flowlens version                    the module version and the commit it was built from

Run "flowlens COMMAND -h" for the flags of a command.
`

// errUsage marks errors in the command line, which exit with status 2.
var errUsage = errors.New("usage")

// helpOrUsage returns the error of a failed flag parse: flag.ErrHelp for
// -h, which exits with status 0 like "flowlens help COMMAND", else
// errUsage.
func helpOrUsage(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp
	}
	return errUsage
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var err error
	switch args[0] {
	case "analyze":
		err = runAnalyze(args[1:], logger)
	case "serve":
		err = runServe(args[1:], logger)
	case "import":
		err = runImport(args[1:])
	case "query":
		err = runQuery(args[1:])
	case "help", "-h", "--help":
		if len(args) > 1 {
			switch args[1] {
			case "analyze", "serve", "import", "query":
			default:
				fmt.Fprintf(os.Stderr, "flowlens: no help for unknown command %q\n\n%s", args[1], usage)
				return 2
			}
			return run([]string{args[1], "-h"})
		}
		fmt.Fprint(os.Stdout, usage)
		return 0
	case "version", "--version":
		fmt.Println(version())
		return 0
	default:
		fmt.Fprintf(os.Stderr, "flowlens: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errStoreUsage):
		fmt.Fprintln(os.Stderr, "flowlens:", strings.TrimPrefix(err.Error(), "usage: "))
		return 2
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(os.Stderr, "flowlens:", err)
		return 1
	}
}

// version describes the build: the module version, and the commit and its
// time when the binary was built from a git checkout.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "flowlens (no build information)"
	}
	out := "flowlens " + info.Main.Version
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		out += " commit " + rev
		if settings["vcs.modified"] == "true" {
			out += " (modified)"
		}
		if t := settings["vcs.time"]; t != "" {
			out += " of " + t
		}
	}
	return out + " " + info.GoVersion
}
