package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium tab on the test environment's web
// server, recording the dialogs and uncaught exceptions its pages raise.
type browser struct {
	ctx  context.Context
	env  *testEnv
	shot string

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser tests need Chromium at %s (apt-get install chromium): %v", chromiumPath, err)
	}
	env := newTestEnv(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })

	// The screenshots go to a directory of their own, since package web's
	// browser tests save pages under the same names.
	b := &browser{ctx: ctx, env: env, shot: t.TempDir()}
	if dir := os.Getenv("FLOWLENS_SCREENSHOTS"); dir != "" {
		b.shot = filepath.Join(dir, "server")
	}
	if err := os.MkdirAll(b.shot, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", b.shot)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.watch()
	return b
}

// watch records dialogs, dismissing them so the page goes on, and
// uncaught exceptions.
func (b *browser) watch() {
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	exceptions := chromedp.Events(b.ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			text := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				text += " " + ev.ExceptionDetails.Exception.Description
			}
			b.mu.Lock()
			b.exceptions = append(b.exceptions, text)
			b.mu.Unlock()
		}
	}()
}

func (b *browser) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) open(t *testing.T, path, readySelector string) {
	t.Helper()
	b.do(t, chromedp.Navigate(b.env.url+path), chromedp.WaitVisible(chromedp.CSS(readySelector)))
}

// follow clicks a link and waits for the page it opens to load.
func (b *browser) follow(t *testing.T, selector string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(selector)))); err != nil {
		t.Fatalf("follow %s: %v", selector, err)
	}
}

// choose selects value in a select element as a user does, firing change.
func (b *browser) choose(t *testing.T, id, value string) {
	t.Helper()
	b.do(t, chromedp.SetValue(chromedp.ID(id), value))
	evalJS[bool](t, b, `document.getElementById(`+jsString(id)+`).dispatchEvent(new Event('change'))`)
}

// waitFor polls a JavaScript expression until it is true.
func (b *browser) waitFor(t *testing.T, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

func evalJS[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shot, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkClean fails the test on any dialog or uncaught exception so far,
// and on an element printed as "[object ...]" in the current page.
func (b *browser) checkClean(t *testing.T) {
	t.Helper()
	if evalJS[bool](t, b, `document.body.innerText.includes('[object ')`) {
		t.Errorf("%s shows an object as text", evalJS[string](t, b, `location.pathname`))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		t.Errorf("pages opened dialogs: %q", b.dialogs)
	}
	if len(b.exceptions) > 0 {
		t.Errorf("pages threw exceptions: %q", b.exceptions)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
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

const rowsJS = `[...document.querySelectorAll('#flows tbody tr[data-id]')]`
