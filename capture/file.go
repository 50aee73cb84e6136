package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

const (
	// readBufferSize is the bufio buffer in front of the file and, for
	// gzip'd captures, in front of the decompressor.
	readBufferSize = 1 << 20

	// maxCaptureLength is the largest captured length accepted for one
	// packet: libpcap's largest snapshot length (MAXIMUM_SNAPLEN, 256 KiB).
	maxCaptureLength = 256 << 10
)

var (
	gzipMagic   = []byte{0x1f, 0x8b}
	pcapngMagic = []byte{0x0a, 0x0d, 0x0d, 0x0a}
)

// OpenFile opens a capture file and returns a Source over its packets.
// The format is detected from the file's first bytes, not its name: pcap
// (microsecond or nanosecond timestamps, either byte order), pcapng, or
// either of them compressed with gzip.
func OpenFile(path string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}

	src, err := newReader(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return src, nil
}

// newReader detects the format of the capture in r and returns a Source
// over it. name is used in error messages. When r is an io.Closer, closing
// the Source closes r.
func newReader(name string, r io.Reader) (Source, error) {
	s := &stream{name: name}
	if c, ok := r.(io.Closer); ok {
		s.closers = append(s.closers, c)
	}
	s.r = bufio.NewReaderSize(r, readBufferSize)

	magic, err := s.peekMagic()
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(magic, gzipMagic) {
		gz, err := gzip.NewReader(s.r)
		if err != nil {
			return nil, fmt.Errorf("capture: read gzip header of %q: %w", name, err)
		}
		s.closers = append(s.closers, gz)
		s.r = bufio.NewReaderSize(gz, readBufferSize)
		s.compressed = true
		if magic, err = s.peekMagic(); err != nil {
			return nil, err
		}
	}

	var src Source
	switch _, _, isPcap := pcapByteOrder(magic); {
	case bytes.Equal(magic, pcapngMagic):
		src, err = newPcapngReader(s)
	case isPcap:
		src, err = newPcapReader(s)
	default:
		err = &FormatError{Path: name, Reason: fmt.Sprintf(
			"unknown capture format (first bytes %x); expected pcap, pcapng, or either compressed with gzip", magic)}
	}
	if err != nil {
		return nil, err
	}
	return src, nil
}

// stream is the uncompressed capture, with the count of bytes consumed so
// far for the offsets in errors.
type stream struct {
	name       string
	r          *bufio.Reader
	off        int64
	closers    []io.Closer
	compressed bool // r reads gzip-compressed data
}

// peekMagic returns the first four bytes without consuming them.
func (s *stream) peekMagic() ([]byte, error) {
	magic, err := s.r.Peek(4)
	if err == nil {
		return magic, nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		what := "file"
		if s.compressed {
			what = "decompressed data has"
		}
		return nil, &FormatError{Path: s.name, Truncated: true, Compressed: s.compressed, Reason: fmt.Sprintf(
			"%s %d bytes, too short for a capture header; expected pcap or pcapng", what, len(magic))}
	}
	return nil, fmt.Errorf("capture: read %q: %w", s.name, err)
}

// readFull fills b, advancing the offset by the bytes read.
func (s *stream) readFull(b []byte) (int, error) {
	n, err := io.ReadFull(s.r, b)
	s.off += int64(n)
	return n, err
}

// discard skips n bytes.
func (s *stream) discard(n int) error {
	for n > 0 {
		step := min(n, readBufferSize)
		d, err := s.r.Discard(step)
		s.off += int64(d)
		n -= d
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// fail turns a read error inside the record starting at start into the
// error the Source returns: a truncated FormatError when the input ends.
func (s *stream) fail(start int64, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		reason := "file ends inside " + what
		if s.compressed {
			reason = "compressed data ends inside " + what
		}
		return &FormatError{Path: s.name, Offset: start, Truncated: true, Compressed: s.compressed, Reason: reason}
	}
	return fmt.Errorf("capture: read %s at byte offset %d of %q: %w", what, start, s.name, err)
}

// formatError returns a FormatError for damaged input at offset.
func (s *stream) formatError(offset int64, format string, args ...any) error {
	return &FormatError{Path: s.name, Offset: offset, Compressed: s.compressed, Reason: fmt.Sprintf(format, args...)}
}

// close closes the decompressor and the file, innermost first.
func (s *stream) close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i].Close())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// grow returns buf resized to n bytes, reallocating only when it is too
// small, so a reader's buffer settles at its largest packet.
func grow(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n, max(n, 2*cap(buf)))
	}
	return buf[:n]
}
