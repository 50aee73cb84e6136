package flow

// rateSample remembers the flow's byte count at the last throughput sample.
type rateSample struct {
	at    int64 // packet time of the sample, in nanoseconds
	bytes uint64
	bps   float64
}

// SampleRate updates the flow's throughput, in bits per second over the time
// since the previous sample, when at least window nanoseconds have passed.
func (f *Flow) SampleRate(now, window int64) {
	total := f.Bytes[0] + f.Bytes[1]
	if f.rate.at == 0 {
		f.rate = rateSample{at: f.FirstSeen, bytes: 0}
	}
	elapsed := now - f.rate.at
	if elapsed < window {
		return
	}
	f.rate.bps = float64(total-f.rate.bytes) * 8 / (float64(elapsed) / 1e9)
	f.rate.at, f.rate.bytes = now, total
}

// Throughput returns the flow's bits per second at the last sample.
func (f *Flow) Throughput() float64 { return f.rate.bps }
