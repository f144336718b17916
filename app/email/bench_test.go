package email_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/email"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/db"
)

// BenchmarkPublishEmail is the publish throughput (servertest.BenchPublish,
// concurrency 8, durability full) of job_failed events, whose e-mail is on
// by default, with e-mail off, with e-mail configured against the
// in-process SMTP server and batching off (every event an e-mail the worker
// sends in the background), and with the default batching (3 e-mails, then
// held for the 30-minute summary: the batching rule's read and write in the
// dispatch's transaction), in the same run.
func BenchmarkPublishEmail(b *testing.B) {
	for _, mode := range []string{"email=off", "email=on,batch=off", "email=on,batch=default"} {
		b.Run(mode, func(b *testing.B) {
			smtpd := apptest.NewSMTP(b)
			s := servertest.New(b, servertest.WithConfig(func(c *app.Config) {
				c.Database.Durability = "full"
				if mode != "email=off" {
					smtpd.Configure(&c.Email)
				}
				if mode == "email=on,batch=off" {
					c.Email.BatchThreshold = 0
				}
			}))
			admin, err := s.Users.FindUserByName(context.Background(), "admin")
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Email.SetAddress(context.Background(), admin.ID, "admin@example.org"); err != nil {
				b.Fatal(err)
			}
			secret := s.TokenFor("admin", true, app.ScopePublish)
			body := []byte(`{"type":"job_failed","title":"Backup failed","body":"Disk **full**"}`)
			s.BenchPublish(b, 8, func(int64) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/events", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/json")
				return req
			})
		})
	}
}

// BenchmarkWorkerSend is how many e-mails per second the worker sends to
// the local SMTP server (STARTTLS, AUTH PLAIN, one connection per batch of
// up to 50). The server runs with e-mail off, so its own worker stays idle;
// b.N outbox rows are queued first through a second service's router, then
// that service's SendDue sends them. Run it with a fixed -benchtime (e.g.
// 3000x): the queuing is not timed. Batching is off: every row is sent.
func BenchmarkWorkerSend(b *testing.B) {
	smtpd := apptest.NewSMTP(b)
	s := servertest.New(b)
	var cfg app.EmailConfig = app.DefaultConfig().Email
	smtpd.Configure(&cfg)
	cfg.BatchThreshold = 0
	svc := email.New(email.Deps{Config: cfg, BaseURL: s.URL, Types: s.Types, Store: db.NewEmailStore(s.DB),
		Users: s.Users, Preferences: s.Preferences, Key: []byte("bench key"), Logger: apptest.Logger()})
	ctx := context.Background()
	u := s.User("alice", false)
	if err := svc.SetAddress(ctx, u.ID, "alice@example.org"); err != nil {
		b.Fatal(err)
	}
	typ, _ := s.Types.Lookup("job_failed")
	for i := 0; i < b.N; i++ {
		n := apptest.Notification(u.ID, "Backup failed")
		n.Body, n.Type = "Disk **full**", "job_failed"
		es, err := svc.Emails(ctx, typ, n, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Notifications.QueueNotifications(ctx, nil, app.Outbox{Emails: es})(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for len(smtpd.Messages()) < b.N {
		if svc.SendDue(ctx) == 0 {
			b.Fatalf("nothing due, %d of %d sent", len(smtpd.Messages()), b.N)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
}

// BenchmarkSummaryBuild is the cost of building one batch summary of 50
// held notifications (reading them from the outbox, both parts, the MIME
// message), which the worker pays once per summary.
func BenchmarkSummaryBuild(b *testing.B) {
	s := servertest.New(b)
	cfg := app.DefaultConfig().Email
	cfg.Host, cfg.From, cfg.BatchThreshold = "127.0.0.1", "belfry@example.org", 1
	store := db.NewEmailStore(s.DB)
	svc := email.New(email.Deps{Config: cfg, BaseURL: s.URL, Types: s.Types, Store: store,
		Users: s.Users, Preferences: s.Preferences, Key: []byte("bench key"), Logger: apptest.Logger()})
	ctx := context.Background()
	u := s.User("alice", false)
	typ, _ := s.Types.Lookup("job_failed")
	for range 51 {
		n := apptest.Notification(u.ID, "Backup failed")
		n.Body, n.Type = "Disk **full**", "job_failed"
		es, err := svc.Emails(ctx, typ, n, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Notifications.QueueNotifications(ctx, nil, app.Outbox{Emails: es})(); err != nil {
			b.Fatal(err)
		}
	}
	all, err := store.ListEmails(ctx, u.ID, 100)
	if err != nil {
		b.Fatal(err)
	}
	var summary *app.Email
	for _, e := range all {
		if e.Kind == app.EmailSummary {
			summary = e
		}
	}
	if summary == nil {
		b.Fatal("no summary queued")
	}
	b.ResetTimer()
	for range b.N {
		if err := svc.BuildSummary(ctx, summary, "alice@example.org"); err != nil {
			b.Fatal(err)
		}
	}
	if len(summary.Members) != 50 {
		b.Fatalf("summary of %d, want 50", len(summary.Members))
	}
}
