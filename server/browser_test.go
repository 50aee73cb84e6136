package server

import (
	"net/netip"
	"testing"

	"github.com/flowlens/flowlens/internal/browsertest"
)

// browser is a Chromium tab on the test environment's web server.
type browser struct {
	*browsertest.Browser
	env *testEnv
}

// newBrowser starts a test environment and a tab on it. Its screenshots
// go to a directory of their own, since package web's browser tests save
// pages under the same names.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	env := newTestEnv(t)
	return &browser{Browser: browsertest.New(t, env.url, "server"), env: env}
}

func evalJS[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	return browsertest.Eval[T](t, b.Browser, expr)
}

// liveCount returns how many open flows of the live view pass keep.
func (e *testEnv) liveCount(keep func(app, info string) bool) int {
	n := 0
	for _, f := range e.live.Flows() {
		if keep(f.Record.App, f.Record.Info) {
			n++
		}
	}
	return n
}

// liveServerCount returns how many open flows of the live view have a
// server address that passes keep.
func (e *testEnv) liveServerCount(keep func(netip.Addr) bool) int {
	n := 0
	for _, f := range e.live.Flows() {
		if keep(netip.MustParseAddr(f.Record.ServerIP)) {
			n++
		}
	}
	return n
}

const rowsJS = `[...document.querySelectorAll('#flows tbody tr[data-id]')]`
