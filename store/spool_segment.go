package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/record"
)

// A spool segment is an append-only file of records, one per batch:
//
//	length  uint32, little endian, of the payload
//	crc     uint32, CRC-32 (IEEE) of the payload
//	payload JSON array of flow records
//
// A record cut short by a crash fails its length or CRC check. Start
// truncates the segment to its last whole record.

const segmentHeader = 8

// maxSpoolRecord bounds one record, so a corrupt length cannot make
// replay allocate without limit.
const maxSpoolRecord = 1 << 30

var errTornRecord = errors.New("torn record")

func segmentPath(dir string, id uint64) string {
	return filepath.Join(dir, fmt.Sprintf("segment-%020d.spool", id))
}

// listSegments returns the ids of the segments in dir, oldest first.
func listSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "segment-") || !strings.HasSuffix(name, ".spool") {
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, "segment-"), ".spool"), 10, 64)
		if err == nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// encodeRecord returns the framed record of a batch.
func encodeRecord(flows []*record.Flow) ([]byte, error) {
	payload, err := json.Marshal(flows)
	if err != nil {
		return nil, err
	}
	b := make([]byte, segmentHeader, segmentHeader+len(payload))
	binary.LittleEndian.PutUint32(b, uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[4:], crc32.ChecksumIEEE(payload))
	return append(b, payload...), nil
}

// readRecord reads the record at off and returns its flows and size.
func readRecord(f *os.File, off int64) ([]*record.Flow, int64, error) {
	var hdr [segmentHeader]byte
	if _, err := f.ReadAt(hdr[:], off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, errTornRecord
		}
		return nil, 0, err
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n > maxSpoolRecord {
		return nil, 0, errTornRecord
	}
	payload := make([]byte, n)
	if _, err := f.ReadAt(payload, off+segmentHeader); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, errTornRecord
		}
		return nil, 0, err
	}
	if crc32.ChecksumIEEE(payload) != binary.LittleEndian.Uint32(hdr[4:]) {
		return nil, 0, errTornRecord
	}
	var flows []*record.Flow
	if err := json.Unmarshal(payload, &flows); err != nil {
		return nil, 0, fmt.Errorf("decode spool record: %w", err)
	}
	return flows, segmentHeader + int64(n), nil
}

// validLength returns the length of the segment's whole records.
func validLength(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var off int64
	for {
		_, n, err := readRecord(f, off)
		if errors.Is(err, errTornRecord) {
			return off, nil
		}
		if err != nil {
			return off, err
		}
		off += n
	}
}

// cursor is the drain position: records before Offset in segment Segment,
// and every older segment, are in the store.
type cursor struct {
	Segment uint64 `json:"segment"`
	Offset  int64  `json:"offset"`
}

func readCursor(dir string) (cursor, error) {
	var c cursor
	b, err := os.ReadFile(filepath.Join(dir, "cursor.json"))
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(b, &c)
}

// writeCursor replaces the cursor file atomically and durably.
func writeCursor(dir string, c cursor) error {
	b, _ := json.Marshal(c)
	tmp := filepath.Join(dir, "cursor.json.tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "cursor.json"))
}
