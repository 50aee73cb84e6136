package auth

import (
	"sync"
	"time"
)

// maxLimiterKeys bounds the memory of the login limiter. Past it, expired
// entries are dropped first, then arbitrary ones.
const maxLimiterKeys = 10_000

// limiter counts failed logins per key (a client address or a user name)
// in fixed windows.
type limiter struct {
	max    int
	window time.Duration

	mu      sync.Mutex
	entries map[string]*failures
}

type failures struct {
	count int
	start time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, entries: map[string]*failures{}}
}

// blocked reports whether key has used up its failures at now, and when
// it may try again.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.entries[key]
	if !ok {
		return false, 0
	}
	if now.Sub(f.start) >= l.window {
		delete(l.entries, key)
		return false, 0
	}
	if f.count < l.max {
		return false, 0
	}
	return true, f.start.Add(l.window).Sub(now)
}

// fail counts one failed login for key at now.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.entries[key]
	if ok && now.Sub(f.start) >= l.window {
		ok = false
	}
	if !ok {
		l.makeRoom(now)
		f = &failures{start: now}
		l.entries[key] = f
	}
	f.count++
}

// reset clears the failures of key after a successful login.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

func (l *limiter) makeRoom(now time.Time) {
	if len(l.entries) < maxLimiterKeys {
		return
	}
	for k, f := range l.entries {
		if now.Sub(f.start) >= l.window {
			delete(l.entries, k)
		}
	}
	for k := range l.entries {
		if len(l.entries) < maxLimiterKeys {
			return
		}
		delete(l.entries, k)
	}
}
