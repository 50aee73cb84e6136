package store

import (
	"context"
	"os"
	"time"

	"github.com/flowlens/flowlens/record"
)

// drain moves spooled records into the store until Stop.
func (s *Spooled) drain() {
	defer close(s.done)
	c, err := readCursor(s.cfg.Dir)
	if err != nil {
		s.log.Error("spool cursor unreadable, replaying the whole spool", "err", err)
		c = cursor{}
	}
	// After a restart the record at the cursor may already be in the store.
	mayExist := true
	for {
		flows, size, ok := s.nextRecord(&c)
		if !ok {
			select {
			case <-s.stop:
				return
			case <-s.wake:
			case <-time.After(time.Second):
			}
			continue
		}
		if !s.deliver(flows, mayExist) {
			return
		}
		mayExist = false
		c.Offset += size
		if err := writeCursor(s.cfg.Dir, c); err != nil {
			s.log.Error("spool cursor not saved; the batch may be written again after a restart", "err", err)
		}
	}
}

// nextRecord returns the record at the cursor, moving the cursor past
// finished segments and deleting them.
func (s *Spooled) nextRecord(c *cursor) ([]*record.Flow, int64, bool) {
	for {
		s.mu.Lock()
		id, size, last, found := s.segmentAt(c.Segment)
		s.mu.Unlock()
		if !found {
			return nil, 0, false
		}
		if id != c.Segment {
			*c = cursor{Segment: id}
		}
		if c.Offset < size {
			return s.readAt(*c)
		}
		if last {
			return nil, 0, false
		}
		s.removeSegment(id)
		*c = cursor{Segment: id + 1}
	}
}

// segmentAt returns the first segment at or after id.
func (s *Spooled) segmentAt(id uint64) (seg uint64, size int64, last, found bool) {
	for i, sid := range s.segments {
		if sid >= id {
			return sid, s.sizes[sid], i == len(s.segments)-1, true
		}
	}
	return 0, 0, false, false
}

func (s *Spooled) readAt(c cursor) ([]*record.Flow, int64, bool) {
	f, err := os.Open(segmentPath(s.cfg.Dir, c.Segment))
	if err != nil {
		s.log.Error("spool segment unreadable", "segment", c.Segment, "err", err)
		return nil, 0, false
	}
	defer f.Close()
	flows, n, err := readRecord(f, c.Offset)
	if err != nil {
		s.log.Error("spool record unreadable", "segment", c.Segment, "offset", c.Offset, "err", err)
		return nil, 0, false
	}
	return flows, n, true
}

func (s *Spooled) removeSegment(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(segmentPath(s.cfg.Dir, id)); err != nil {
		s.log.Error("drained spool segment not removed", "segment", id, "err", err)
	}
	s.metrics.SpoolBytes.Add(-s.sizes[id])
	delete(s.sizes, id)
	for i, sid := range s.segments {
		if sid == id {
			s.segments = append(s.segments[:i], s.segments[i+1:]...)
			break
		}
	}
}

// deliver writes one batch, retrying with backoff until it succeeds or
// Stop is called; it returns false on Stop.
func (s *Spooled) deliver(flows []*record.Flow, mayExist bool) bool {
	wait := s.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		err := s.writeMissing(flows, mayExist)
		if err == nil {
			return true
		}
		s.metrics.WriteErrors.Add(1)
		if attempt == 1 || attempt%10 == 0 {
			s.log.Warn("store write failed, retrying", "flows", len(flows), "attempt", attempt, "err", err)
		}
		// An error may come after the store committed the batch.
		mayExist = true
		select {
		case <-s.stop:
			return false
		case <-time.After(wait):
		}
		wait = min(wait*2, s.cfg.MaxBackoff)
	}
}

// writeMissing writes the flows of the batch that the store does not have
// yet when mayExist is set, else the whole batch.
func (s *Spooled) writeMissing(flows []*record.Flow, mayExist bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if mayExist {
		var err error
		flows, err = s.missing(ctx, flows)
		if err != nil {
			return err
		}
	}
	if len(flows) == 0 {
		return nil
	}
	if err := s.Store.WriteFlows(ctx, flows); err != nil {
		return err
	}
	s.metrics.WrittenFlows.Add(uint64(len(flows)))
	return nil
}

// idCheckChunk bounds the ids of one lookup, so that the query stays
// under ClickHouse's default max_query_size of 256 KiB.
const idCheckChunk = 1000

// missing returns the flows whose id the store does not have. Flows
// without an id cannot be checked and are always returned.
func (s *Spooled) missing(ctx context.Context, flows []*record.Flow) ([]*record.Flow, error) {
	seen := map[string]bool{}
	var ids []string
	for i, fl := range flows {
		if fl.ID != "" {
			ids = append(ids, fl.ID)
		}
		if len(ids) == idCheckChunk || (i == len(flows)-1 && len(ids) > 0) {
			have, err := s.Store.QueryFlows(ctx, Query{Scope: Scope{Filter: Cond("id", OpIn, ids...)}})
			if err != nil {
				return nil, err
			}
			for _, h := range have {
				seen[h.ID] = true
			}
			ids = ids[:0]
		}
	}
	out := flows[:0:0]
	for _, fl := range flows {
		if fl.ID == "" || !seen[fl.ID] {
			out = append(out, fl)
		}
	}
	s.metrics.SkippedFlows.Add(uint64(len(flows) - len(out)))
	return out, nil
}
