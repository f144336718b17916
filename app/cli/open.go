package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/db"
)

// dbOptions copies the database section of cfg into db.Options.
func dbOptions(cfg app.Config) db.Options {
	return db.Options{DatabaseConfig: cfg.Database}
}

// openExisting opens the configured database without creating it, for
// commands that only read it or copy it.
func openExisting(cfg app.Config) (*db.DB, error) {
	if cfg.Database.Driver == "postgres" {
		return db.Open(dbOptions(cfg))
	}
	if _, err := os.Stat(cfg.Database.Path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("database %s does not exist (check database.path or --config)", cfg.Database.Path)
		}
		return nil, fmt.Errorf("database %s: %w", cfg.Database.Path, err)
	}
	return db.Open(dbOptions(cfg))
}

// newLogger returns the slog logger that cfg describes, writing to w.
func newLogger(cfg app.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // Validate checked it
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// admin is what the user and token commands work on: the database, opened
// and migrated by the command itself (a running server may hold it too),
// and the auth service over it.
type admin struct {
	db     *db.DB
	users  app.UserStore
	tokens app.TokenStore
	auth   *auth.Service
}

// openAdmin opens and migrates the database of cfg, so the commands also
// work before the first serve.
// withAdmin loads the configuration named by fs, opens (and migrates) the
// database and runs fn with it, closing it afterwards.
func (r *runner) withAdmin(ctx context.Context, fs *flagSet, fn func(a *admin) error) error {
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	a, err := r.openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func (r *runner) openAdmin(ctx context.Context, cfg app.Config) (*admin, error) {
	d, err := db.Open(dbOptions(cfg))
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	a := &admin{db: d, users: db.NewUserStore(d), tokens: db.NewTokenStore(d)}
	a.auth = auth.New(auth.Deps{
		Users:    a.users,
		Tokens:   a.tokens,
		Sessions: db.NewSessionStore(d),
		Config:   cfg.Auth,
		Logger:   newLogger(cfg.Log, r.stderr),
	})
	return a, nil
}

func (a *admin) Close() error { return a.db.Close() }

// user returns the user called name.
func (a *admin) user(ctx context.Context, name string) (*app.User, error) {
	u, err := a.users.FindUserByName(ctx, name)
	if app.ErrorKind(err) == app.ENOTFOUND {
		return nil, app.Errorf(app.ENOTFOUND, "User %q does not exist.", name)
	}
	return u, err
}
