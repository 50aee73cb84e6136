// Command benchcap builds a large benchmark capture from a directory of
// small ones. It reads every Ethernet packet of the input captures in name
// order, writes them as one classic pcap file, and repeats the whole set
// until the output holds the requested number of packets. Each repetition
// changes the last byte of every IPv4 and IPv6 address, so that its flows
// are new flows rather than more packets of the first copy, and moves its
// timestamps past the end of the previous one. The output depends only on
// the input files and the flags.
//
//	go run ./internal/benchcap -in DIR -out FILE [-packets N]
//
// Packets of other link types are left out, because a classic pcap file
// has one link type and libpcap rejects pcapng files that mix them. IP and
// transport checksums are not updated: neither flowlens nor nDPI checks
// them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/flowlens/flowlens/capture"
)

// maxCopies is the number of distinct values of the last address byte.
const maxCopies = 256

// gap separates the files of the merged timeline, in nanoseconds.
const gap = int64(1e9)

// frame is one captured Ethernet frame of the merged input.
type frame struct {
	ts   int64 // nanoseconds after the start of the merged timeline
	wire uint32
	data []byte
}

func main() {
	in := flag.String("in", "", "`dir`ectory of input captures (pcap, pcapng)")
	out := flag.String("out", "", "output pcap `file`")
	packets := flag.Int("packets", 5_700_000, "minimum number of packets to write")
	flag.Parse()
	if *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out, *packets); err != nil {
		fmt.Fprintln(os.Stderr, "benchcap:", err)
		os.Exit(1)
	}
}

func run(in, out string, packets int) error {
	frames, span, err := readDir(in)
	if err != nil {
		return err
	}
	if len(frames) == 0 {
		return fmt.Errorf("no Ethernet packets in %s", in)
	}
	copies := (packets + len(frames) - 1) / len(frames)
	if copies > maxCopies {
		return fmt.Errorf("%d packets need %d copies of %d input packets; at most %d copies are distinct", packets, copies, len(frames), maxCopies)
	}
	n, size, err := writeCopies(out, frames, span, copies)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchcap: wrote %d packets, %d bytes (%d copies of %d packets) to %s\n", n, size, copies, len(frames), out)
	return nil
}

// readDir merges the captures of dir, one after another in name order.
// It returns the frames and the length of the merged timeline.
func readDir(dir string) ([]frame, int64, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return nil, 0, err
	}
	sort.Strings(names)
	var frames []frame
	var offset int64
	for _, name := range names {
		end, err := readFile(name, offset, &frames)
		if err != nil {
			return nil, 0, err
		}
		offset = end + gap
	}
	return frames, offset, nil
}

// readFile appends the Ethernet frames of one capture, shifted so that the
// capture starts at offset, and returns the shifted time of its last frame.
// A damaged capture contributes the frames before the damage.
func readFile(name string, offset int64, frames *[]frame) (int64, error) {
	src, err := capture.OpenFile(name)
	if err != nil {
		return offset, nil // not a capture file
	}
	defer src.Close()
	var p capture.Packet
	var first int64
	end := offset
	for n := 0; ; n++ {
		err := src.ReadPacket(&p)
		if errors.Is(err, io.EOF) {
			return end, nil
		}
		var fe *capture.FormatError
		if errors.As(err, &fe) {
			return end, nil
		}
		if err != nil {
			return 0, fmt.Errorf("read %s: %w", name, err)
		}
		if n == 0 {
			first = p.Timestamp
		}
		if p.LinkType != capture.LinkTypeEthernet {
			continue
		}
		ts := offset + max(p.Timestamp-first, 0)
		end = max(end, ts)
		data := append([]byte(nil), p.Data[:p.CaptureLength]...)
		*frames = append(*frames, frame{ts: ts, wire: uint32(p.WireLength), data: data})
	}
}
