package provision_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/provision"
	"github.com/belfry/belfry/db"
)

// kit is a real database with its stores and auth service.
type kit struct {
	t    *testing.T
	auth *auth.Service
	deps provision.Deps
}

func newKit(t *testing.T) *kit {
	d := apptest.OpenDB(t)
	return &kit{t: t, auth: apptest.Auth(d), deps: provision.Deps{Users: db.NewUserStore(d), Tokens: db.NewTokenStore(d),
		Sessions: db.NewSessionStore(d), Logger: apptest.Logger()}}
}

// apply runs provisioning with cfg, which must validate, and fails the
// test on an error.
func (k *kit) apply(cfg app.ProvisionConfig) provision.Result {
	k.t.Helper()
	res, err := k.try(cfg)
	if err != nil {
		k.t.Fatal(err)
	}
	return res
}

func (k *kit) try(cfg app.ProvisionConfig) (provision.Result, error) {
	k.t.Helper()
	full := app.DefaultConfig()
	full.Provision = cfg
	if err := full.Validate(); err != nil {
		k.t.Fatalf("the test's configuration does not validate: %v", err)
	}
	d := k.deps
	d.Config = cfg
	return provision.Apply(context.Background(), d)
}

func (k *kit) user(name string) *app.User {
	k.t.Helper()
	u, err := k.deps.Users.FindUserByName(context.Background(), name)
	if err != nil {
		k.t.Fatalf("user %s: %v", name, err)
	}
	return u
}

// canLogin reports whether name signs in with pw.
func (k *kit) canLogin(name, pw string) bool {
	_, _, err := k.auth.Login(context.Background(), "127.0.0.1", name, pw)
	return err == nil
}

func hash(t *testing.T, pw string) string {
	t.Helper()
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func secretFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestApplyCreatesAndIsIdempotent(t *testing.T) {
	k := newKit(t)
	secret, tokenHash := auth.NewTokenSecret()
	cfg := app.ProvisionConfig{
		Users: []app.ProvisionedUser{
			{Name: "root", Admin: true, PasswordHash: hash(t, "root password")},
			{Name: "alice", PasswordFile: secretFile(t, "alice password\n")},
			{Name: "backups"}, // tokens only
		},
		Tokens: []app.ProvisionedToken{{User: "backups", Name: "nightly", Scope: app.ScopePublish, Hash: tokenHash}},
	}
	if res := k.apply(cfg); res != (provision.Result{UsersCreated: 3, TokensCreated: 1}) {
		t.Fatalf("first start: %+v", res)
	}
	if !k.user("root").IsAdmin || k.user("alice").IsAdmin {
		t.Fatal("admin flags not as declared")
	}
	if !k.canLogin("root", "root password") || !k.canLogin("alice", "alice password") {
		t.Fatal("a declared password does not sign in")
	}
	u, tok, err := k.auth.TokenUser(context.Background(), secret)
	if err != nil || u.Username != "backups" || tok.Scope != app.ScopePublish || tok.Name != "nightly" {
		t.Fatalf("the declared token: %v %+v %+v", err, u, tok)
	}
	if res := k.apply(cfg); res != (provision.Result{}) {
		t.Fatalf("second start with the same configuration changed %+v", res)
	}
}

func TestApplyUpdates(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	file := secretFile(t, "first password\n")
	_, tokenHash := auth.NewTokenSecret()
	cfg := app.ProvisionConfig{
		Users:  []app.ProvisionedUser{{Name: "root", Admin: true}, {Name: "alice", PasswordFile: file}, {Name: "bob", PasswordHash: hash(t, "bob password 1")}},
		Tokens: []app.ProvisionedToken{{User: "alice", Name: "phone", Scope: app.ScopeClient, Hash: tokenHash}},
	}
	k.apply(cfg)
	tokenID := func() string {
		tok, err := k.deps.Tokens.FindTokenByHash(ctx, tokenHash)
		if err != nil {
			t.Fatal(err)
		}
		return tok.ID
	}
	firstID := tokenID()
	aliceSession, _, err := k.auth.Login(ctx, "127.0.0.1", "alice", "first password")
	if err != nil {
		t.Fatal(err)
	}
	bobSession, _, err := k.auth.Login(ctx, "127.0.0.1", "bob", "bob password 1")
	if err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(file, []byte("second password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Users[1].Admin = true
	cfg.Users[2].PasswordHash = hash(t, "bob password 2")
	cfg.Tokens[0].Scope, cfg.Tokens[0].Name = app.ScopePublish, "phone 2"
	if res := k.apply(cfg); res != (provision.Result{UsersUpdated: 2, TokensUpdated: 1}) {
		t.Fatalf("changed configuration: %+v", res)
	}
	if !k.user("alice").IsAdmin {
		t.Fatal("alice is not an admin")
	}
	if k.canLogin("alice", "first password") || !k.canLogin("alice", "second password") ||
		k.canLogin("bob", "bob password 1") || !k.canLogin("bob", "bob password 2") {
		t.Fatal("the new passwords are not the ones that sign in")
	}
	for name, cookie := range map[string]string{"alice": aliceSession, "bob": bobSession} {
		if _, err := k.auth.SessionUser(ctx, cookie); err == nil {
			t.Errorf("%s's session survived a new password", name)
		}
	}
	tok, err := k.deps.Tokens.FindTokenByHash(ctx, tokenHash)
	if err != nil || tok.ID != firstID || tok.Scope != app.ScopePublish || tok.Name != "phone 2" {
		t.Fatalf("updated token %+v (%v), want id %s with the new scope and name", tok, err, firstID)
	}
}

// TestApplyLeavesOthersAlone: without owns_* the configuration adds to what
// the database has; a declared user without a password keeps theirs.
func TestApplyLeavesOthersAlone(t *testing.T) {
	k := newKit(t)
	carol := apptest.User(t, k.deps.Users, "carol", false)
	carolToken := apptest.Token(t, k.auth, carol, app.ScopeClient)
	k.apply(app.ProvisionConfig{Users: []app.ProvisionedUser{{Name: "carol", Admin: true}, {Name: "dave"}}})
	if !k.canLogin("carol", apptest.Password) {
		t.Fatal("carol's password changed although the configuration sets none")
	}
	if _, _, err := k.auth.TokenUser(context.Background(), carolToken); err != nil {
		t.Fatalf("carol's own token: %v", err)
	}
}

func TestApplyOwnsUsersAndTokens(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	generated, err := k.auth.EnsureAdmin(ctx, "") // a first start before provisioning was configured
	if err != nil || generated == "" {
		t.Fatal(err)
	}
	alice := apptest.User(t, k.deps.Users, "alice", false)
	stray := apptest.Token(t, k.auth, alice, app.ScopeClient)
	keptSecret, keptHash := auth.NewTokenSecret()
	cfg := app.ProvisionConfig{OwnsUsers: true, OwnsTokens: true,
		Users:  []app.ProvisionedUser{{Name: "root", Admin: true}, {Name: "alice"}},
		Tokens: []app.ProvisionedToken{{User: "alice", Scope: app.ScopeClient, Hash: keptHash}},
	}
	if res := k.apply(cfg); res != (provision.Result{UsersCreated: 1, UsersDeleted: 1, TokensCreated: 1, TokensRevoked: 1}) {
		t.Fatalf("%+v", res)
	}
	if _, err := k.deps.Users.FindUserByName(ctx, auth.AdminUsername); app.ErrorKind(err) != app.ENOTFOUND {
		t.Fatalf("the undeclared admin survived: %v", err)
	}
	if _, _, err := k.auth.TokenUser(ctx, stray); err == nil {
		t.Fatal("the undeclared token still works")
	}
	if _, _, err := k.auth.TokenUser(ctx, keptSecret); err != nil {
		t.Fatalf("the declared token: %v", err)
	}
}

func TestApplyErrors(t *testing.T) {
	k := newKit(t)
	apptest.User(t, k.deps.Users, "plain", false)
	_, tokenHash := auth.NewTokenSecret()
	for _, tc := range []struct {
		name string
		cfg  app.ProvisionConfig
		want string
	}{
		{"bad hash", app.ProvisionConfig{Users: []app.ProvisionedUser{{Name: "x", PasswordHash: "$argon2id$v=19$nonsense"}}},
			"provision.users[0] (x): password_hash is not an argon2id hash that Belfry accepts"},
		{"missing file", app.ProvisionConfig{Users: []app.ProvisionedUser{{Name: "x", PasswordFile: "/nonexistent/pw"}}},
			"provision.users[0] (x): cannot read password_file /nonexistent/pw: no such file or directory."},
		{"short password", app.ProvisionConfig{Users: []app.ProvisionedUser{{Name: "x", PasswordFile: secretFile(t, "short\n")}}},
			"Password must be at least 8 characters long."},
		{"unknown token user", app.ProvisionConfig{Tokens: []app.ProvisionedToken{{User: "nobody", Scope: app.ScopeClient, Hash: tokenHash}}},
			`provision.tokens[0].user: there is no user "nobody"`},
		{"admin token of a non-admin", app.ProvisionConfig{Tokens: []app.ProvisionedToken{{User: "plain", Scope: app.ScopeAdmin, Hash: tokenHash}}},
			`provision.tokens[0]: an admin token needs an administrator, and "plain" is not one.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.try(tc.cfg)
			if app.ErrorKind(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v, want EINVALID with %q", err, tc.want)
			}
		})
	}
}
