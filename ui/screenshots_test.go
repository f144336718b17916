package ui_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
)

// seedInbox stores a realistic mix of notifications for u, the oldest
// first, with creation times spread over the last days.
func (b *belfry) seedInbox(u *app.User) {
	b.t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	rows := []struct {
		typ, title, body, url string
		level                 app.Level
		age                   time.Duration
		read                  bool
	}{
		{"weekly_report", "Weekly report: 142 mails received, 38 archived", "Week **2026-W13**: 3 jobs failed, storage at 71 %.", "/reports/2026-W13", app.LevelInfo, 5 * 24 * time.Hour, true},
		{"quota_warning", "Storage on nas-01 is 91 % full", "The `media` volume will be full in about **6 days** at the current rate.", "https://nas.home.arpa/storage", app.LevelWarning, 28 * time.Hour, true},
		{"job_completed", "Photos backed up to the offsite bucket", "1 204 files, 3.2 GB in 14 min.", "", app.LevelInfo, 7 * time.Hour, true},
		{"rule_executed", "Rule “archive newsletters” moved 12 mails", "", "", app.LevelInfo, 3 * time.Hour, false},
		{"integrity_alert", "Checksum mismatch in /srv/archive/2019", "2 files differ from their stored checksums:\n\n- `IMG_2231.jpg`\n- `IMG_2232.jpg`", "https://nas.home.arpa/integrity", app.LevelError, 52 * time.Minute, false},
		{"job_completed", "Nightly database dump finished", "postgres@db-01: 412 MB, kept 14 copies.", "", app.LevelInfo, 18 * time.Minute, false},
		{"job_failed", "Backup of nas-01 failed", "rsync exited with **code 23** (partial transfer): 3 files vanished during the run.", "https://nas.home.arpa/jobs/7", app.LevelError, 2 * time.Minute, false},
	}
	var ns []*app.Notification
	for _, r := range rows {
		id, _ := uuid.NewV7()
		n := &app.Notification{ID: id.String(), UserID: u.ID, Type: r.typ, Level: r.level, Title: r.title, Body: r.body,
			Data: json.RawMessage(`{}`), TargetURL: r.url, Status: app.StatusPending, CreatedAt: now.Add(-r.age)}
		if r.read {
			t := n.CreatedAt.Add(time.Minute)
			n.ReadAt = &t
		}
		ns = append(ns, n)
	}
	if err := b.Notifications.CreateNotifications(context.Background(), ns, nil); err != nil {
		b.t.Fatal(err)
	}
}

// TestBrowserScreenshots walks the main screens at desktop and phone width,
// light and dark, and saves them as artefacts. With
// BELFRY_UPDATE_SCREENSHOTS=1 it also refreshes the two in docs/screenshots.
func TestBrowserScreenshots(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", true)
	b.user("bob", false)
	tok := b.token(ann)
	b.seedInbox(ann)
	if err := b.Mutes.CreateMute(context.Background(), &app.Mute{UserID: ann.ID,
		Object: app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: "nas-01"}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	login := b.openTab(t)
	login.do(chromedp.Navigate(b.URL + "/login?error=1"))
	login.shot("login-desktop")

	tb := b.signedInTab(t, "ann")
	tb.shot("notifications-desktop")

	b.publish(tok, map[string]any{"type": "job_failed", "level": "error", "title": "Certificate renewal failed for home.arpa",
		"body": "ACME challenge timed out after 3 attempts.", "target_url": "https://proxy.home.arpa/certs"})
	tb.until("the toast", `document.querySelector('#toasts .toast') !== null`)
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the dropdown", `document.querySelectorAll('#panel-items .nitem').length >= 5`)
	tb.shot("panel-and-toast-desktop")
	tb.do(chromedp.KeyEvent("\x1b"))

	for _, p := range []struct{ path, name string }{
		{"/preferences", "preferences-desktop"}, {"/mutes", "mutes-desktop"}, {"/admin/users", "users-desktop"},
	} {
		tb.navigate(p.path)
		tb.shot(p.name)
	}
	tb.navigate("/tokens")
	tb.do(
		chromedp.SendKeys(chromedp.CSS(`#token-form input[name=name]`), "backup script on nas-01"),
		chromedp.Click(chromedp.CSS(`#token-form button[type=submit]`)),
	)
	tb.until("the secret", `document.getElementById('new-token') !== null`)
	tb.shot("tokens-desktop")

	tb.viewport(1280, 800, true)
	tb.navigate("/notifications")
	tb.shot("notifications-dark-desktop")
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the dropdown", `document.querySelectorAll('#panel-items .nitem').length >= 5`)
	tb.shot("panel-dark-desktop")

	tb.viewport(390, 844, false)
	tb.navigate("/notifications")
	tb.shot("notifications-phone")
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the dropdown", `document.querySelectorAll('#panel-items .nitem').length >= 5`)
	tb.shot("panel-phone")
	tb.navigate("/preferences")
	tb.shot("preferences-phone")
	tb.viewport(390, 844, true)
	tb.navigate("/notifications")
	tb.shot("notifications-dark-phone")

	if os.Getenv("BELFRY_UPDATE_SCREENSHOTS") != "" {
		for _, name := range []string{"panel-and-toast-desktop", "notifications-phone"} {
			png, err := os.ReadFile(filepath.Join(artifactDir(t), name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
