package pipeline

import (
	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/flow"
)

// batchSize is how many packets go to a worker in one hand-over; batching
// keeps channel operations off the per-packet path.
const batchSize = 256

// batchesPerWorker is how many batches the pipeline owns per worker, and
// how many a worker's queue holds. A deep queue lets the reader run ahead
// of a worker that is slow for a while, as on a burst of handshakes, so
// the other workers keep busy. On the benchmark capture with two workers,
// 16 took less time than 4 in three runs of three.
const batchesPerWorker = 16

// arenaSize is the payload space of one batch. Payloads are copied in
// because the capture source reuses its buffer.
const arenaSize = 256 << 10

// item is one decoded packet waiting for its worker.
type item struct {
	pkt     decode.Packet
	key     flow.Key
	srcIsLo bool
	wireLen int
	ts      int64
}

// batch is a group of packets for one worker, or a control message.
type batch struct {
	items []item
	arena []byte
	// tick, when non-zero, makes the worker expire flows at this packet
	// time.
	tick int64
	// do, when set, runs on the worker's goroutine with its table.
	do   func(*worker)
	done chan struct{}
}

func newBatch() *batch {
	return &batch{items: make([]item, 0, batchSize), arena: make([]byte, 0, arenaSize)}
}

// add copies p into the batch. It reports false when the batch has no room
// for it, leaving the batch unchanged.
func (b *batch) add(p *decode.Packet, key *flow.Key, srcIsLo bool, wireLen int, ts int64) bool {
	if len(b.items) == cap(b.items) || len(b.arena)+len(p.Payload) > cap(b.arena) {
		return false
	}
	it := item{pkt: *p, key: *key, srcIsLo: srcIsLo, wireLen: wireLen, ts: ts}
	start := len(b.arena)
	b.arena = append(b.arena, p.Payload...)
	it.pkt.Payload = b.arena[start:len(b.arena):len(b.arena)]
	b.items = append(b.items, it)
	return true
}

func (b *batch) reset() {
	b.items, b.arena = b.items[:0], b.arena[:0]
	b.tick, b.do, b.done = 0, nil, nil
}
