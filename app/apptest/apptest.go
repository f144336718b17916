// Package apptest is Belfry's test kit, shared by the tests of every
// package: a real SQLite database in a temporary directory, users and
// tokens, complete notifications and a seeded inbox of any size (Inbox), a
// quiet logger, a WebSocket client and a wait helper. The fake clock is
// clocktest.Fake; the whole application on loopback is servertest.New. Nothing here is a stand-in for a real
// part: the database is SQLite, the tokens are minted by auth.Service.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/db"
	"github.com/belfry/belfry/db/pgtest"
	"github.com/google/uuid"
)

// Password is the password of every user the kit creates.
const Password = "correct horse battery"

// Guard bounds every wait of the kit: a condition that does not hold
// within it fails the test.
const Guard = 10 * time.Second

// Config returns the built-in defaults with what tests want: durability
// normal (fsync makes a test slower, not more right), the database in a
// temporary directory and the rest as a user would get it. With
// BELFRY_TEST_DATABASE=postgres the database is a fresh one on the test
// PostgreSQL (db/pgtest; the package's TestMain must run pgtest.Main), so
// that a package's tests can run on PostgreSQL too.
func Config(t testing.TB) app.Config {
	cfg := app.DefaultConfig()
	cfg.Database.Path = filepath.Join(t.TempDir(), "belfry.db")
	cfg.Database.Durability = "normal"
	if os.Getenv("BELFRY_TEST_DATABASE") == "postgres" {
		cfg.Database.Driver, cfg.Database.URL = "postgres", PostgresFor(t, cfg.Database.Path)
	}
	return cfg
}

// postgresFor maps the SQLite paths tests chose to the PostgreSQL
// databases standing for them.
var postgresFor sync.Map

// PostgresFor is the PostgreSQL database that stands for the SQLite file
// path in a PostgreSQL run: a test that restarts a server "on the same
// file" (setting database.path to an earlier one) gets the same database.
func PostgresFor(t testing.TB, path string) string {
	if u, ok := postgresFor.Load(path); ok {
		return u.(string)
	}
	u, _ := postgresFor.LoadOrStore(path, pgtest.URL(t))
	return u.(string)
}

// Logger returns a logger that writes nothing.
func Logger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// DBOptions are the options of a test database at path: the defaults of
// the configuration with durability normal.
func DBOptions(path string) db.Options {
	cfg := app.DefaultConfig().Database
	cfg.Path, cfg.Durability = path, "normal"
	return db.Options{DatabaseConfig: cfg}
}

// OpenDB opens and migrates a fresh database in a temporary directory and
// closes it when the test ends.
func OpenDB(t testing.TB) *db.DB {
	t.Helper()
	cfg := Config(t).Database
	if cfg.Driver == "sqlite" {
		SeedDB(t, cfg.Path)
	}
	d, err := db.Open(db.Options{DatabaseConfig: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Auth returns the auth service of d with the default session lifetime.
func Auth(d *db.DB) *auth.Service {
	return auth.New(auth.Deps{Users: db.NewUserStore(d), Tokens: db.NewTokenStore(d), Sessions: db.NewSessionStore(d),
		Config: app.DefaultConfig().Auth, Logger: Logger()})
}

// passwordHash is computed once: argon2id is deliberately slow.
var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(Password)
	if err != nil {
		panic(err)
	}
	return h
})

// User stores a user called name whose password is Password.
func User(t testing.TB, users app.UserStore, name string, admin bool) *app.User {
	t.Helper()
	u := &app.User{ID: NewID(), Username: name, IsAdmin: admin, PasswordHash: passwordHash(), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// Token mints an API token of u with scope and returns its secret.
func Token(t testing.TB, a *auth.Service, u *app.User, scope app.Scope) string {
	t.Helper()
	secret, _, err := a.CreateToken(context.Background(), u.ID, string(scope), scope)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// Login opens a browser session of u and returns its cookie value.
func Login(t testing.TB, a *auth.Service, u *app.User) string {
	t.Helper()
	cookie, err := a.StartSession(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return cookie
}

// NewID returns a fresh UUIDv7, as the stores make them.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Notification returns a complete, pending, unread notification of userID
// of type job_failed created now, as the dispatcher would build it, for
// tests that write to the store directly.
func Notification(userID, title string) *app.Notification {
	return &app.Notification{ID: NewID(), UserID: userID, Type: "job_failed", Level: app.LevelInfo, Title: title,
		Data: json.RawMessage("{}"), Status: app.StatusPending, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
}

// WaitFor polls cond until it holds, failing the test after Guard.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
