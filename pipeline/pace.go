package pipeline

import (
	"context"
	"time"

	"github.com/flowlens/flowlens/capture"
)

// paced replays a capture file at its own pace, scaled by speed, so that
// a live view of a file shows flows come and go as they did on the wire.
type paced struct {
	capture.Source
	ctx   context.Context
	speed float64
	// firstTS and firstWall pair a packet's capture time with the wall
	// time the replay gave it; later packets are due relative to them.
	firstTS   int64
	firstWall time.Time
	lastTS    int64
	// next is a packet read from the file and not yet due.
	next    capture.Packet
	due     time.Time
	holding bool
}

// maxPause is the longest silence the replay keeps: a longer gap between
// two packets (or a clock that jumps) is skipped, so that the replay never
// stalls.
const maxPause = 5 * time.Second

// idleWait is how long ReadPacket waits for a packet to fall due before it
// returns capture.ErrTimeout, as a quiet live source does.
const idleWait = 250 * time.Millisecond

// Paced returns src slowed down to speed times its capture pace (2 is
// twice as fast). A speed of 0 or less returns src unchanged.
func Paced(ctx context.Context, src capture.Source, speed float64) capture.Source {
	if speed <= 0 {
		return src
	}
	return &paced{Source: src, ctx: ctx, speed: speed}
}

func (p *paced) ReadPacket(pkt *capture.Packet) error {
	if !p.holding {
		if err := p.Source.ReadPacket(&p.next); err != nil {
			return err
		}
		p.schedule()
		p.holding = true
	}
	wait := time.Until(p.due)
	if wait > idleWait {
		wait = idleWait
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-p.ctx.Done():
			return capture.ErrClosed
		}
	}
	if time.Now().Before(p.due) {
		return capture.ErrTimeout
	}
	p.holding = false
	*pkt = p.next
	return nil
}

// schedule sets when the held packet is due.
func (p *paced) schedule() {
	ts := p.next.Timestamp
	gap := time.Duration(float64(ts-p.lastTS) / p.speed)
	p.lastTS = ts
	if p.firstWall.IsZero() || gap < 0 || gap > maxPause {
		p.firstTS, p.firstWall = ts, time.Now()
	}
	p.due = p.firstWall.Add(time.Duration(float64(ts-p.firstTS) / p.speed))
}
