package db

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// pruneNow is the fixed "now" of the pruning tests.
var pruneNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// daysAgo is pruneNow minus days, in unix milliseconds.
func daysAgo(days float64) int64 {
	return pruneNow.Add(-time.Duration(days * float64(24*time.Hour))).UnixMilli()
}

// exec runs statements through the writer, failing the test on an error.
func exec(t *testing.T, d *DB, query string, args ...any) {
	t.Helper()
	if err := d.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// seedNotification stores a notification of userID created days ago, read
// when read is set, and returns its id.
func seedNotification(t *testing.T, d *DB, userID, title string, days float64, read bool) string {
	t.Helper()
	id := newID()
	var readAt any
	if read {
		readAt = daysAgo(days)
	}
	exec(t, d, `INSERT INTO notifications (id, user_id, type, level, title, read_at, created_at)
		VALUES (?, ?, 'job_failed', 'info', ?, ?, ?)`, id, userID, title, readAt, daysAgo(days))
	return id
}

// notificationTitles returns the titles of userID's notifications, oldest first.
func notificationTitles(t *testing.T, d *DB, userID string) []string {
	t.Helper()
	rows, err := d.read.Query(`SELECT title FROM notifications WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// count returns the rows of table.
func count(t *testing.T, d *DB, table string) int {
	t.Helper()
	var n int
	if err := d.read.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// prune runs a dry run and then the real pass, checks that both report
// the same counts, and returns the real pass's.
func prune(t *testing.T, d *DB, r app.PruneRules) app.PruneCounts {
	t.Helper()
	dry, err := d.Prune(context.Background(), r, true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if dry.Users != nil {
		t.Fatalf("a dry run named users %v", dry.Users)
	}
	real, err := d.Prune(context.Background(), r, false)
	if err != nil {
		t.Fatalf("prune: %v", err)
	}
	withoutUsers := real
	withoutUsers.Users = nil
	if !reflect.DeepEqual(dry, withoutUsers) {
		t.Fatalf("dry run counted %+v, prune deleted %+v", dry, real)
	}
	again, err := d.Prune(context.Background(), r, false)
	if err != nil || again.Total() != 0 {
		t.Fatalf("second pass: %+v, %v", again, err)
	}
	return real
}

func TestPruneNotifications(t *testing.T) {
	d, _ := mustOpen(t)
	ann, bob, cid := mustUser(t, d, "ann"), mustUser(t, d, "bob"), mustUser(t, d, "cid")
	// ann: old read ones go by age, then everything beyond the newest 3.
	seedNotification(t, d, ann.ID, "a-old-read", 40, true)
	seedNotification(t, d, ann.ID, "a-old-unread", 39, false)
	seedNotification(t, d, ann.ID, "a-old-read-2", 35, true)
	seedNotification(t, d, ann.ID, "a-mid-unread", 20, false)
	seedNotification(t, d, ann.ID, "a-mid-read", 10, true)
	seedNotification(t, d, ann.ID, "a-new-unread", 1, false)
	seedNotification(t, d, ann.ID, "a-newest-read", 0.5, true)
	// bob: only recent ones, fewer than the limit: nothing goes.
	seedNotification(t, d, bob.ID, "b-1", 2, true)
	seedNotification(t, d, bob.ID, "b-2", 1, false)
	// cid: exactly the limit, all unread and old: nothing goes.
	for i := 0; i < 3; i++ {
		seedNotification(t, d, cid.ID, fmt.Sprintf("c-%d", i), float64(100-i), false)
	}

	c := prune(t, d, app.PruneRules{ReadBefore: pruneNow.Add(-30 * 24 * time.Hour), KeepPerUser: 3})
	if c.ReadNotifications != 2 || c.ExcessNotifications != 2 {
		t.Fatalf("counts %+v, want 2 read and 2 excess", c)
	}
	if !reflect.DeepEqual(c.Users, []string{ann.ID}) {
		t.Fatalf("users %v, want only ann", c.Users)
	}
	if got, want := notificationTitles(t, d, ann.ID), []string{"a-mid-read", "a-new-unread", "a-newest-read"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ann keeps %v, want %v", got, want)
	}
	if got := notificationTitles(t, d, bob.ID); len(got) != 2 {
		t.Fatalf("bob keeps %v", got)
	}
	if got := notificationTitles(t, d, cid.ID); len(got) != 3 {
		t.Fatalf("cid keeps %v", got)
	}
	// The polling totals kept by triggers follow the deletes.
	var total int
	if err := d.read.QueryRow(`SELECT COALESCE(SUM(n), 0) FROM notification_totals WHERE user_id = ?`, ann.ID).Scan(&total); err != nil || total != 3 {
		t.Fatalf("ann's notification_totals = %d, %v", total, err)
	}
}

func TestPruneNotificationsSameTimestamp(t *testing.T) {
	// Rows created in the same millisecond are ordered by id (UUIDv7), as
	// in the list pages: exactly KeepPerUser stay.
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	for i := 0; i < 5; i++ {
		seedNotification(t, d, u.ID, fmt.Sprintf("n-%d", i), 3, false)
	}
	c := prune(t, d, app.PruneRules{KeepPerUser: 2})
	if c.ExcessNotifications != 3 {
		t.Fatalf("deleted %d, want 3", c.ExcessNotifications)
	}
	if got := notificationTitles(t, d, u.ID); !reflect.DeepEqual(got, []string{"n-3", "n-4"}) {
		t.Fatalf("kept %v, want the two newest", got)
	}
}

func TestPruneRulesOff(t *testing.T) {
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	seedNotification(t, d, u.ID, "ancient", 3000, true)
	exec(t, d, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES ('h', ?, 0, ?)`, u.ID, daysAgo(10))
	c := prune(t, d, app.PruneRules{})
	if c.Total() != 0 || count(t, d, "notifications") != 1 || count(t, d, "sessions") != 1 {
		t.Fatalf("zero rules pruned %+v", c)
	}
}

func TestPruneWebhookDeliveries(t *testing.T) {
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	exec(t, d, `INSERT INTO webhooks (id, user_id, kind, url, created_at, updated_at) VALUES ('w1', ?, 'ntfy', 'http://ntfy.lan/x', 0, 0)`, u.ID)
	for i, row := range []struct {
		status string
		days   float64
	}{
		{"delivered", 40}, {"failed", 31}, {"pending", 90}, {"delivered", 29}, {"failed", 1},
	} {
		exec(t, d, `INSERT INTO webhook_deliveries (id, webhook_id, event, payload, status, next_attempt_at, created_at, updated_at)
			VALUES (?, 'w1', 'job.failed', '{}', ?, 0, ?, ?)`, fmt.Sprint("d", i), row.status, daysAgo(row.days), daysAgo(row.days))
	}
	c := prune(t, d, app.PruneRules{DeliveriesBefore: pruneNow.Add(-30 * 24 * time.Hour)})
	if c.WebhookDeliveries != 2 || count(t, d, "webhook_deliveries") != 3 {
		t.Fatalf("deleted %d, %d left; want 2 deleted (old delivered and failed), pending kept",
			c.WebhookDeliveries, count(t, d, "webhook_deliveries"))
	}
	var pending int
	if err := d.read.QueryRow(`SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'`).Scan(&pending); err != nil || pending != 1 {
		t.Fatalf("pending left: %d, %v", pending, err)
	}
}

// TestPruneEmails: sent, failed and skipped e-mails older than the cut-off
// go; pending and held ones stay, however old.
func TestPruneEmails(t *testing.T) {
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	for i, row := range []struct {
		status string
		days   float64
	}{
		{"sent", 40}, {"failed", 31}, {"skipped", 35}, {"pending", 90}, {"held", 90}, {"sent", 29}, {"failed", 1},
	} {
		exec(t, d, `INSERT INTO email_outbox (id, user_id, type, subject, payload, status, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, 'job_failed', 's', '{}', ?, 0, ?, ?)`, fmt.Sprint("e", i), u.ID, row.status, daysAgo(row.days), daysAgo(row.days))
	}
	rules := app.PruneRules{EmailsBefore: pruneNow.Add(-30 * 24 * time.Hour)}
	c := prune(t, d, rules)
	if c.Emails != 3 || c.Total() != 3 || count(t, d, "email_outbox") != 4 {
		t.Fatalf("deleted %d, %d left; want 3 deleted (old sent, failed, skipped)", c.Emails, count(t, d, "email_outbox"))
	}
	var waiting int
	if err := d.read.QueryRow(`SELECT COUNT(*) FROM email_outbox WHERE status IN ('pending', 'held')`).Scan(&waiting); err != nil || waiting != 2 {
		t.Fatalf("pending and held left: %d, %v", waiting, err)
	}
}

func TestPruneChannelMessages(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	exec(t, d, `INSERT INTO channels (id, name, name_key, created_by, created_at, updated_at) VALUES ('c1', 'ops', 'ops', ?, 0, 0)`, u.ID)
	for i, days := range []float64{400, 200, 179, 1} {
		exec(t, d, `INSERT INTO channel_messages (id, channel_id, seq, user_id, content, created_at) VALUES (?, 'c1', ?, ?, 'hi', ?)`,
			fmt.Sprint("m", i), i+1, u.ID, daysAgo(days))
	}
	rules := app.PruneRules{MessagesBefore: pruneNow.Add(-180 * 24 * time.Hour)}
	if c := prune(t, d, rules); c.ChannelMessages != 2 || count(t, d, "channel_messages") != 2 {
		t.Fatalf("deleted %d channel messages, %d left", c.ChannelMessages, count(t, d, "channel_messages"))
	}

	t.Run("without the channels tables", func(t *testing.T) {
		sqliteOnly(t) // PostgreSQL's schema starts with them
		if err := d.MigrateDownTo(ctx, 4); err != nil {
			t.Fatal(err)
		}
		c, err := d.Prune(ctx, rules, false)
		if err != nil || c.ChannelMessages != 0 {
			t.Fatalf("prune without channels: %+v, %v", c, err)
		}
	})
}

func TestPruneExpiredSessionsAndMutes(t *testing.T) {
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	for i, expires := range []int64{daysAgo(1), pruneNow.UnixMilli(), daysAgo(-1)} {
		exec(t, d, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, 0, ?)`, fmt.Sprint("s", i), u.ID, expires)
	}
	for i, till := range []any{daysAgo(2), nil, daysAgo(-2)} {
		exec(t, d, `INSERT INTO mutes (id, user_id, app_label, model_name, object_id, valid_till, created_at)
			VALUES (?, ?, 'config', 'device', ?, ?, 0)`, fmt.Sprint("m", i), u.ID, fmt.Sprint("o", i), till)
	}
	c := prune(t, d, app.PruneRules{Expired: pruneNow})
	if c.Sessions != 2 || c.Mutes != 1 || count(t, d, "sessions") != 1 || count(t, d, "mutes") != 2 {
		t.Fatalf("pruned %+v; left %d sessions, %d mutes", c, count(t, d, "sessions"), count(t, d, "mutes"))
	}
}

func TestPruneInChunks(t *testing.T) {
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	const n, chunk = 25, 10
	for i := 0; i < n; i++ {
		seedNotification(t, d, u.ID, "x", 50, true)
	}
	before := d.WriterStats().Commits
	p := &pruner{d: d, chunk: chunk}
	deleted := 0
	if err := p.run(context.Background(), &deleted, "notifications", "user_id = ?", u.ID); err != nil {
		t.Fatal(err)
	}
	if deleted != n || count(t, d, "notifications") != 0 {
		t.Fatalf("deleted %d of %d", deleted, n)
	}
	if commits := d.WriterStats().Commits - before; commits != 3 {
		t.Fatalf("%d rows deleted in %d commits, want 3 chunks", n, commits)
	}
}

func TestPruneQueryPlans(t *testing.T) {
	d, _ := mustOpen(t)
	for _, q := range []string{
		"SELECT rowid FROM notifications WHERE user_id = ? AND read_at IS NOT NULL AND created_at < ? LIMIT 1000",
		"SELECT created_at, id FROM notifications WHERE user_id = ? AND NOT (read_at IS NOT NULL AND created_at < ?) ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 10",
		"SELECT rowid FROM notifications WHERE user_id = ? AND (created_at, id) < (?, ?) AND NOT (read_at IS NOT NULL AND created_at < ?) LIMIT 1000",
	} {
		wantIndexPlan(t, queryPlan(t, d, q, "u", 1, 2, 3), "notifications_user_")
	}
}

// Pruning channel messages by age is an index range, not a table scan.
func TestPruneChannelMessagesUsesIndex(t *testing.T) {
	sqliteOnly(t)
	d, _ := mustOpen(t)
	var plan string
	rows, err := d.read.Query(`EXPLAIN QUERY PLAN SELECT rowid FROM channel_messages WHERE created_at < ? LIMIT ?`, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "\n"
	}
	if !strings.Contains(plan, "channel_messages_created") {
		t.Fatalf("plan does not use channel_messages_created:\n%s", plan)
	}
}
