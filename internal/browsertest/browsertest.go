// Package browsertest drives headless Chromium over a test server for the
// browser tests of the web UI. It starts Debian's Chromium with the flags
// that keep it off the network (no background networking, component
// updates, sync or QUIC), records the dialogs and uncaught exceptions the
// pages raise, and saves screenshots.
package browsertest

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

// ChromiumPath is the browser binary of Debian's chromium package.
const ChromiumPath = "/usr/bin/chromium"

// Browser is one headless Chromium tab on a test server.
type Browser struct {
	Ctx context.Context
	// URL is the test server's base URL, without a trailing slash.
	URL  string
	shot string

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
}

// New starts Chromium with one tab for the server at url. Screenshots go
// to $FLOWLENS_SCREENSHOTS/shotDir when that variable is set, and to a
// temporary directory otherwise. Chromium and the tab stop when t ends.
func New(t *testing.T, url, shotDir string) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Fatalf("browser tests need Chromium at %s (apt-get install chromium): %v", ChromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
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

	b := &Browser{Ctx: ctx, URL: url, shot: t.TempDir()}
	if dir := os.Getenv("FLOWLENS_SCREENSHOTS"); dir != "" {
		b.shot = filepath.Join(dir, shotDir)
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
func (b *Browser) watch() {
	dialogs := chromedp.Events(b.Ctx, page.JavascriptDialogOpening)
	exceptions := chromedp.Events(b.Ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			_, _ = chromedp.Call(b.Ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
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

// Do runs actions in the tab and fails t on the first error.
func (b *Browser) Do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// Open loads path and waits until readySelector is visible.
func (b *Browser) Open(t *testing.T, path, readySelector string) {
	t.Helper()
	b.Do(t, chromedp.Navigate(b.URL+path), chromedp.WaitVisible(chromedp.CSS(readySelector)))
}

// Follow clicks a link and waits for the page it opens to load.
func (b *Browser) Follow(t *testing.T, selector string) {
	t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(selector)))); err != nil {
		t.Fatalf("follow %s: %v", selector, err)
	}
}

// Choose selects value in a select element as a user does, firing change.
func (b *Browser) Choose(t *testing.T, id, value string) {
	t.Helper()
	b.Do(t, chromedp.SetValue(chromedp.ID(id), value))
	Eval[bool](t, b, `document.getElementById(`+JSString(id)+`).dispatchEvent(new Event('change'))`)
}

// WaitFor polls a JavaScript expression for up to 15 seconds until it is
// true, and fails t with what in the message otherwise.
func (b *Browser) WaitFor(t *testing.T, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

// Eval evaluates a JavaScript expression in the page and returns its value.
func Eval[T any](t *testing.T, b *Browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Screenshot saves the whole page as name.png, after checking that no
// element is printed as "[object ...]".
func (b *Browser) Screenshot(t *testing.T, name string) {
	t.Helper()
	if Eval[bool](t, b, `document.body.innerText.includes('[object ')`) {
		t.Errorf("page %s shows an object as text", name)
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shot, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// CheckClean fails t on any dialog or uncaught exception so far, and on an
// element printed as "[object ...]" in the current page.
func (b *Browser) CheckClean(t *testing.T) {
	t.Helper()
	if Eval[bool](t, b, `document.body.innerText.includes('[object ')`) {
		t.Errorf("%s shows an object as text", Eval[string](t, b, `location.pathname`))
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

// JSString quotes s as a JavaScript string literal.
func JSString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}
