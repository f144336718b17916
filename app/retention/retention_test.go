package retention_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/app/retention"
	"github.com/belfry/belfry/db"
)

// changes records published changes.
type changes struct {
	mu   sync.Mutex
	list []app.Change
}

func (c *changes) Publish(_ context.Context, ch app.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, ch)
}

const day = 24 * time.Hour

func openDB(t *testing.T) *db.DB { return apptest.OpenDB(t) }

// seed stores a notification of u created at, read at that time when read.
func seed(t *testing.T, d *db.DB, u *app.User, title string, at time.Time, read bool) {
	t.Helper()
	n := apptest.Notification(u.ID, title)
	n.CreatedAt = at
	if read {
		n.ReadAt = &at
	}
	if err := db.NewNotificationStore(d).CreateNotifications(context.Background(), []*app.Notification{n}, nil); err != nil {
		t.Fatal(err)
	}
}

func unread(t *testing.T, d *db.DB, u *app.User) (total, unread int) {
	t.Helper()
	ns := db.NewNotificationStore(d)
	total, err := ns.CountNotifications(context.Background(), app.NotificationFilter{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	unread, err = ns.UnreadCount(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return total, unread
}

func TestRunOnceWithInjectedClock(t *testing.T) {
	ctx := context.Background()
	d := openDB(t)
	u := &app.User{Username: "ann", PasswordHash: "x"}
	if err := db.NewUserStore(d).CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	seed(t, d, u, "read on day 0", start, true)
	seed(t, d, u, "unread on day 0", start, false)
	seed(t, d, u, "read on day 20", start.Add(20*day), true)

	clk := clocktest.At(start.Add(25 * day))
	pub := &changes{}
	cfg := app.DefaultConfig().Retention // read notifications: 30 days
	// The server's pruner is the inbox, which announces what went.
	inbox := notify.NewInbox(db.NewNotificationStore(d), d, pub)
	job := retention.New(retention.Deps{Pruner: inbox, Config: cfg, Deliveries: 30 * day, Clock: clk})

	if c, err := job.RunOnce(ctx, false); err != nil || c.Total() != 0 {
		t.Fatalf("day 25: pruned %+v, %v; nothing is 30 days old yet", c, err)
	}
	clk.Advance(6 * day) // day 31: the day-0 read notification is past 30 days
	dry, err := job.RunOnce(ctx, true)
	if err != nil || dry.ReadNotifications != 1 {
		t.Fatalf("dry run on day 31: %+v, %v", dry, err)
	}
	if total, _ := unread(t, d, u); total != 3 {
		t.Fatalf("the dry run deleted: %d left", total)
	}
	c, err := job.RunOnce(ctx, false)
	if err != nil || c.ReadNotifications != 1 || c.Total() != 1 {
		t.Fatalf("day 31: pruned %+v, %v", c, err)
	}
	if total, n := unread(t, d, u); total != 2 || n != 1 {
		t.Fatalf("left %d notifications, %d unread; want 2 and 1", total, n)
	}
	if len(pub.list) != 1 || pub.list[0] != (app.Change{Kind: app.ChangeDeleted, UserID: u.ID}) {
		t.Fatalf("published %+v, want one ChangeDeleted for ann", pub.list)
	}
	if st := job.Stats(); st.Runs != 2 || st.Deleted != 1 || st.Failed != 0 {
		t.Fatalf("stats %+v; the dry run must not count", st)
	}

	clk.Advance(365 * day) // the unread one never goes by age
	if c, _ := job.RunOnce(ctx, false); c.Total() != 1 {
		t.Fatalf("a year later: %+v, want only the day-20 read one", c)
	}
	if total, n := unread(t, d, u); total != 1 || n != 1 {
		t.Fatalf("left %d, %d unread", total, n)
	}
}

func TestRules(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	cfg := app.RetentionConfig{ReadNotifications: app.Duration{Duration: 7 * day}, MaxPerUser: 10}
	job := retention.New(retention.Deps{Config: cfg, Deliveries: 2 * day, Emails: 3 * day, Clock: clocktest.At(now)})
	want := app.PruneRules{ReadBefore: now.Add(-7 * day), KeepPerUser: 10, DeliveriesBefore: now.Add(-2 * day),
		EmailsBefore: now.Add(-3 * day), Expired: now}
	if got := job.Rules(); got != want {
		t.Fatalf("rules %+v, want %+v (zero channel_messages keeps messages)", got, want)
	}
}

// pruner is a fake app.Pruner that reports each call on calls.
type pruner struct {
	calls chan app.PruneRules
	err   error
}

func (p *pruner) Prune(_ context.Context, r app.PruneRules, _ bool) (app.PruneCounts, error) {
	p.calls <- r
	return app.PruneCounts{Sessions: 1}, p.err
}

func TestRunSchedules(t *testing.T) {
	p := &pruner{calls: make(chan app.PruneRules, 10)}
	cfg := app.DefaultConfig().Retention
	cfg.Interval = app.Duration{Duration: time.Millisecond}
	var logs bytes.Buffer
	job := retention.New(retention.Deps{Pruner: p, Config: cfg, StartDelay: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { job.Run(ctx); close(done) }()
	for i := 0; i < 3; i++ {
		<-p.calls
	}
	cancel()
	<-done
	if st := job.Stats(); st.Runs < 3 || st.Deleted < 3 {
		t.Fatalf("stats after three passes: %+v", st)
	}
}

func TestRunDisabled(t *testing.T) {
	p := &pruner{calls: make(chan app.PruneRules, 1)}
	cfg := app.DefaultConfig().Retention
	cfg.Enabled = false
	job := retention.New(retention.Deps{Pruner: p, Config: cfg, StartDelay: time.Nanosecond})
	job.Run(context.Background()) // returns at once: a background context never ends
	if len(p.calls) != 0 {
		t.Fatal("a disabled job pruned")
	}
}

func TestRunLogsFailures(t *testing.T) {
	p := &pruner{calls: make(chan app.PruneRules, 1), err: errors.New("disk I/O error")}
	var logs syncBuffer
	cfg := app.DefaultConfig().Retention
	cfg.Interval = app.Duration{Duration: time.Hour}
	job := retention.New(retention.Deps{Pruner: p, Config: cfg, StartDelay: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { job.Run(ctx); close(done) }()
	<-p.calls
	// The pass logs after it counts: cancelling before the log is written
	// would silence it (a failure after cancel is not reported).
	apptest.WaitFor(t, "the failure to be logged", func() bool {
		return bytes.Contains(logs.Bytes(), []byte("retention: pruning failed"))
	})
	cancel()
	<-done
	if st := job.Stats(); st.Failed != 1 {
		t.Fatalf("stats %+v, want one failure", st)
	}
	if !bytes.Contains(logs.Bytes(), []byte("retention: pruning failed")) || !bytes.Contains(logs.Bytes(), []byte("disk I/O error")) {
		t.Fatalf("log: %s", logs.Bytes())
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}
