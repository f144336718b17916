package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/db"
)

// env is a Service on a fresh migrated database.
type env struct {
	svc    *auth.Service
	db     *db.DB
	users  *db.UserStore
	tokens *db.TokenStore
	clock  *clocktest.Fake
}

// newEnv returns an env with the default [auth] settings, a session
// lifetime of an hour and whatever changes adjust.
func newEnv(t *testing.T, changes ...func(*app.AuthConfig)) *env {
	t.Helper()
	d := apptest.OpenDB(t)
	c := clocktest.At(time.Now().UTC())
	e := &env{db: d, users: db.NewUserStore(d), tokens: db.NewTokenStore(d), clock: c}
	cfg := app.DefaultConfig().Auth
	cfg.SessionTTL = app.Duration{Duration: time.Hour}
	for _, change := range changes {
		change(&cfg)
	}
	e.svc = auth.New(auth.Deps{
		Users: e.users, Tokens: e.tokens, Sessions: db.NewSessionStore(d),
		Config: cfg, Clock: c,
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
