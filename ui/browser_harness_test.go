package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium; scripts/ensure-chromium.sh installs it.
const chromiumPath = "/usr/bin/chromium"

// browserTimeout bounds every wait of a browser test. Waits poll for a
// condition; none asserts on how long something took.
const browserTimeout = 45 * time.Second

var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	os.Exit(code)
}

// browser returns the shared headless Chromium, started on first use. When
// Chromium is missing the test fails under CI and is skipped elsewhere.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests need %s (run scripts/ensure-chromium.sh): %v", chromiumPath, err)
		}
		t.Skipf("skipping browser test: %s is missing; run scripts/ensure-chromium.sh to install Chromium", chromiumPath)
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "belfry-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.UserDataDir(dir),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-quic", true),
			chromedp.WindowSize(1280, 800),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		shared.ctx = ctx
		shared.cancel = func() {
			cancelCtx()
			cancelAlloc()
			_ = os.RemoveAll(dir)
		}
		shared.err = chromedp.Do(ctx) // starts the browser
	})
	if shared.err != nil {
		t.Fatalf("start chromium: %v", shared.err)
	}
	return shared.ctx
}

// tab is one browser tab with its own cookies, on one Belfry.
type tab struct {
	t   *testing.T
	b   *belfry
	ctx context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// openTab opens a tab in a fresh browser context (its own cookie jar) at
// desktop size, and fails the test at the end if the page broke its CSP or
// threw.
func (b *belfry) openTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	tb := &tab{t: t, b: b, ctx: ctx}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.console = append(tb.console, m)
			tb.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, m := range tb.console {
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line)
			}
		}
	})
	tb.do(chromedp.EmulateViewport(1280, 800))
	return tb
}

// do runs actions, failing the test on error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// until waits until the JavaScript expression is truthy.
func (tb *tab) until(what, expr string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserTimeout)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(browserTimeout), chromedp.WithPollingInterval(25*time.Millisecond)))
		if err == nil {
			return
		}
		// A navigation that is still replacing the page destroys the
		// context the poll runs in: poll the new page, within the same
		// deadline.
		if ctx.Err() == nil && contextReplaced(err) {
			time.Sleep(25 * time.Millisecond)
			continue
		}
		tb.dumpState()
		tb.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

// contextReplaced reports whether err says the page's JavaScript context
// went away under an evaluation (a navigation replaced the document).
func contextReplaced(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") || strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated or closed")
}

// clickUntil clicks selector until expr holds, a few times: a button that
// htmx has just swapped in ignores clicks until htmx has processed it.
func (tb *tab) clickUntil(what, selector, expr string) {
	tb.t.Helper()
	for try := 0; try < 5; try++ {
		tb.do(chromedp.Click(chromedp.CSS(selector)))
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(2*time.Second), chromedp.WithPollingInterval(25*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
	}
	tb.dumpState()
	tb.t.Fatalf("clicking %s never gave %s (%s)", selector, what, expr)
}

// dumpState logs what the page shows and saves a screenshot, to explain a
// failed wait.
func (tb *tab) dumpState() {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('header') ? document.querySelector('header').outerHTML.slice(0, 3000) + (document.getElementById('main') || document.body).outerHTML.slice(0, 6000) : document.body.outerHTML.slice(0, 6000)`))
	if err == nil {
		tb.t.Logf("page when the wait failed:\n%s", html)
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		p := filepath.Join(artifactDir(tb.t), "failed-"+strings.ReplaceAll(tb.t.Name(), "/", "-")+".png")
		_ = os.WriteFile(p, png, 0o644)
		tb.t.Logf("screenshot %s", p)
	}
	tb.mu.Lock()
	for _, m := range tb.console {
		tb.t.Logf("console: %s", m)
	}
	tb.mu.Unlock()
}

// login signs in through the login form and waits for the page and its
// socket, registered on the server, to be ready.
func (tb *tab) login(name string) {
	tb.t.Helper()
	before := tb.b.Hub.Stats().Sockets
	tb.do(
		chromedp.Navigate(tb.b.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), name),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-items`)),
	)
	tb.waitLive(before + 1)
}

// signedInTab opens a tab in which name has signed in through the login
// form and the inbox is live.
func (b *belfry) signedInTab(t *testing.T, name string) *tab {
	t.Helper()
	tb := b.openTab(t)
	tb.login(name)
	return tb
}

// waitLive waits until the page's socket is open and the hub has sockets.
func (tb *tab) waitLive(sockets int) {
	tb.t.Helper()
	tb.until("the socket to open", `document.body.dataset.live === 'open'`)
	waitFor(tb.t, "the hub to register the socket", func() bool { return tb.b.Hub.Stats().Sockets >= sockets })
	tb.idle()
}

// idle waits until no htmx request is in flight, so that a click does not
// race with a list being replaced.
func (tb *tab) idle() {
	tb.t.Helper()
	tb.until("htmx to settle", `document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping') === null`)
}

// navigate loads a page and waits for its socket.
func (tb *tab) navigate(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.b.URL + path))
	tb.until("the socket to open", `document.body.dataset.live === 'open'`)
	tb.idle()
}

// recordToasts makes the page remember the title of every toast shown (not
// the burst summary), so a test can tell that none appeared even after it
// hid itself.
func (tb *tab) recordToasts() {
	tb.t.Helper()
	eval[chromedp.Void](tb, `window.__toasts = [];
		new MutationObserver(function (ms) { ms.forEach(function (m) { m.addedNodes.forEach(function (n) {
			if (n.classList && n.classList.contains('toast') && !n.classList.contains('toast-summary')) window.__toasts.push(n.querySelector('.toast-title').textContent);
		}); }); }).observe(document.getElementById('toasts'), { childList: true }); 0`)
}

// shot saves a screenshot of the viewport as an artefact and returns its
// path.
func (tb *tab) shot(name string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := artifactDir(tb.t)
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", p)
	return p
}

// viewport sets the tab's size; phone sizes emulate a 2× touch screen.
func (tb *tab) viewport(w, h int64, dark bool) {
	tb.t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	opts := []chromedp.EmulateViewportOption{}
	if w < 600 {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	}
	tb.do(chromedp.EmulateViewport(w, h, opts...), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}

// artifactDir is where screenshots go: $BELFRY_ARTIFACTS, or
// belfry-screens in the system's temporary directory.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("BELFRY_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "belfry-screens")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(browserTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string { return fmt.Sprintf("%q", s) }
