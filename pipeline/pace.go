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
	// start pairs the first packet's capture time with the wall time at
	// which it was read.
	firstTS   int64
	firstWall time.Time
	lastTS    int64
}

// maxPause bounds the wait between two packets, so that a capture whose
// clock jumps (or that holds long silences) does not stall the replay.
const maxPause = 5 * time.Second

// Paced returns src slowed down to speed times its capture pace (2 is
// twice as fast). A speed of 0 or less returns src unchanged.
func Paced(ctx context.Context, src capture.Source, speed float64) capture.Source {
	if speed <= 0 {
		return src
	}
	return &paced{Source: src, ctx: ctx, speed: speed}
}

func (p *paced) ReadPacket(pkt *capture.Packet) error {
	if err := p.Source.ReadPacket(pkt); err != nil {
		return err
	}
	gap := time.Duration(float64(pkt.Timestamp-p.lastTS) / p.speed)
	p.lastTS = pkt.Timestamp
	if p.firstWall.IsZero() || gap < 0 || gap > maxPause {
		p.firstTS, p.firstWall = pkt.Timestamp, time.Now()
		return nil
	}
	due := p.firstWall.Add(time.Duration(float64(pkt.Timestamp-p.firstTS) / p.speed))
	if wait := time.Until(due); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-p.ctx.Done():
			return capture.ErrClosed
		}
	}
	return nil
}
