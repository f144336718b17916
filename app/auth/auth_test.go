package auth_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/db"
)

// clock is a settable fake clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a Service on a fresh migrated database.
type env struct {
	svc    *auth.Service
	db     *db.DB
	users  *db.UserStore
	tokens *db.TokenStore
	clock  *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(db.Options{Path: filepath.Join(t.TempDir(), "b.db"), Durability: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Now().UTC()}
	e := &env{db: d, users: db.NewUserStore(d), tokens: db.NewTokenStore(d), clock: c}
	e.svc = auth.New(auth.Options{
		Users: e.users, Tokens: e.tokens, Sessions: db.NewSessionStore(d),
		SessionTTL: time.Hour, Now: c.Now,
	})
	return e
}

func (e *env) mustUser(t *testing.T, name string, admin bool) *app.User {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), name, "correct horse", admin)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantKind fails unless err is an *app.Error of kind (and code, if given).
func wantKind(t *testing.T, err error, kind string, code ...string) {
	t.Helper()
	if app.ErrorKind(err) != kind {
		t.Fatalf("error = %v, want kind %s", err, kind)
	}
	if len(code) > 0 && app.ErrorCode(err) != code[0] {
		t.Fatalf("code = %s, want %s", app.ErrorCode(err), code[0])
	}
}
