package poll

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// TestDocExamples runs the adaptive-polling examples of docs/polling.md,
// unchanged but for the server address and token, against a live server:
// each must print the notifications that exist, then one that arrives while
// it long-polls, and acknowledge them all. A missing interpreter skips.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "polling.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range []struct {
		lang, fence, file string
		cmd               []string
		prelude           string
	}{
		{"Python", "python", "example.py", []string{"python3", "-u"}, ""},
		// Node has no localStorage; the example's browser storage is faked.
		{"JavaScript", "js", "example.mjs", []string{"node"}, "globalThis.localStorage = new Map(); localStorage.getItem = localStorage.get; localStorage.setItem = localStorage.set;\n"},
	} {
		t.Run(ex.lang, func(t *testing.T) {
			if _, err := exec.LookPath(ex.cmd[0]); err != nil {
				t.Skipf("%s is not installed", ex.cmd[0])
			}
			m := regexp.MustCompile("(?s)```" + ex.fence + "\n(.*?)```").FindSubmatch(doc)
			if m == nil {
				t.Fatalf("docs/polling.md has no %s example", ex.lang)
			}
			h := newHarness(t, nil)
			u, tok := h.user("alice")
			ns := h.insert(u, series(3, t0, nil)...)
			code := strings.Replace(string(m[1]), "https://belfry.example.net/api/v1/client/notifications", h.srv.URL+base, 1)
			code = strings.Replace(code, "blf_…", tok, 1)
			path := filepath.Join(t.TempDir(), ex.file)
			if err := os.WriteFile(path, []byte(ex.prelude+code), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, ex.cmd[0], append(ex.cmd[1:], path)...)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			lines := bufio.NewScanner(out)
			next := func() string {
				if !lines.Scan() {
					t.Fatalf("the example stopped printing: %v\n%s", lines.Err(), stderr.String())
				}
				return lines.Text()
			}
			for _, n := range ns {
				if got := next(); got != "[error] "+n.Title {
					t.Fatalf("printed %q, want %q", got, "[error] "+n.Title)
				}
			}
			waitFor(t, "the example to long-poll", func() bool { return h.poll.Stats().Waiting == 1 })
			later := h.insert(u, notif{})[0]
			if got := next(); got != "[error] "+later.Title {
				t.Fatalf("printed %q, want the new notification", got)
			}
			waitFor(t, "the example to acknowledge everything", func() bool {
				for _, n := range append(ns, later) {
					if got, err := h.store.FindNotification(ctx, n.ID); err != nil || got.Status != app.StatusAcknowledged {
						return false
					}
				}
				return true
			})
		})
	}
}
