// Package provision applies the users and API tokens that the
// configuration declares ([provision], for Ansible, NixOS or compose
// setups): at every start it creates what is missing, updates what
// differs, and — when provision.owns_users or owns_tokens says the
// configuration owns them — deletes users and revokes tokens it does not
// declare. The server runs it before it creates the first admin, so a
// declared administrator replaces the generated one.
package provision

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
)

// Deps are what Apply works on.
type Deps struct {
	Config   app.ProvisionConfig
	Users    app.UserStore
	Tokens   app.TokenStore
	Sessions app.SessionStore // a changed password ends the user's sessions
	Logger   *slog.Logger     // nil: slog.Default()
}

// Result counts what Apply changed.
type Result struct {
	UsersCreated, UsersUpdated, UsersDeleted    int
	TokensCreated, TokensUpdated, TokensRevoked int
}

// Check verifies what Config.Validate cannot see without the auth rules or
// the file system: that every password_hash is an argon2id hash Belfry can
// check and that every password_file holds a valid password. Errors are
// EINVALID naming the key; a password never appears in them.
func Check(cfg app.ProvisionConfig) error {
	for i, u := range cfg.Users {
		if _, err := password(i, u); err != nil {
			return err
		}
	}
	return nil
}

// password returns the password of a user's password_file ("" without
// one), after checking the user's password settings.
func password(i int, u app.ProvisionedUser) (string, error) {
	if u.PasswordHash != "" && !auth.ValidHash(u.PasswordHash) {
		return "", app.Errorf(app.EINVALID, "provision.users[%d] (%s): password_hash is not an argon2id hash that Belfry accepts (make one with: belfry user hash).", i, u.Name)
	}
	if u.PasswordFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(u.PasswordFile)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", app.Errorf(app.EINVALID, "provision.users[%d] (%s): cannot read password_file %s: %v.", i, u.Name, u.PasswordFile, err)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if err := app.ValidatePassword(pw); err != nil {
		return "", app.Errorf(app.EINVALID, "provision.users[%d] (%s): password_file %s: %s", i, u.Name, u.PasswordFile, app.ErrorMessage(err))
	}
	return pw, nil
}

// Apply makes the users and tokens of the database what d.Config
// declares. Users come first, so that tokens can name them. It is
// idempotent: a second run with the same configuration changes nothing.
func Apply(ctx context.Context, d Deps) (Result, error) {
	d.Logger = cmp.Or(d.Logger, slog.Default())
	var res Result
	if err := Check(d.Config); err != nil {
		return res, err
	}
	if err := applyUsers(ctx, d, &res); err != nil {
		return res, err
	}
	if err := applyTokens(ctx, d, &res); err != nil {
		return res, err
	}
	if res != (Result{}) {
		d.Logger.Info("provisioned users and tokens from the configuration",
			"users_created", res.UsersCreated, "users_updated", res.UsersUpdated, "users_deleted", res.UsersDeleted,
			"tokens_created", res.TokensCreated, "tokens_updated", res.TokensUpdated, "tokens_revoked", res.TokensRevoked)
	}
	return res, nil
}

func applyUsers(ctx context.Context, d Deps, res *Result) error {
	declared := map[string]bool{}
	for i, want := range d.Config.Users {
		declared[strings.ToLower(want.Name)] = true
		pw, err := password(i, want)
		if err != nil {
			return err
		}
		u, err := d.Users.FindUserByName(ctx, want.Name)
		switch {
		case app.ErrorKind(err) == app.ENOTFOUND:
			if err := createUser(ctx, d, want, pw); err != nil {
				return err
			}
			res.UsersCreated++
			continue
		case err != nil:
			return err
		}
		changed, err := updateUser(ctx, d, u, want, pw)
		if err != nil {
			return err
		}
		if changed {
			res.UsersUpdated++
		}
	}
	if !d.Config.OwnsUsers {
		return nil
	}
	users, err := d.Users.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if declared[strings.ToLower(u.Username)] {
			continue
		}
		if err := d.Users.DeleteUser(ctx, u.ID); err != nil {
			return err
		}
		d.Logger.Info("deleted a user the configuration does not declare (provision.owns_users)", "user", u.Username)
		res.UsersDeleted++
	}
	return nil
}

// createUser stores a declared user; without a password setting it gets
// the hash of a random password nobody knows.
func createUser(ctx context.Context, d Deps, want app.ProvisionedUser, pw string) error {
	hash := want.PasswordHash
	if hash == "" {
		if pw == "" {
			pw = rand.Text()
		}
		var err error
		if hash, err = auth.HashPassword(pw); err != nil {
			return err
		}
	}
	return d.Users.CreateUser(ctx, &app.User{Username: want.Name, IsAdmin: want.Admin, PasswordHash: hash})
}

// updateUser brings an existing user in line with its declaration. A new
// password ends the user's browser sessions, as belfry user passwd does.
func updateUser(ctx context.Context, d Deps, u *app.User, want app.ProvisionedUser, pw string) (bool, error) {
	changed := false
	if u.IsAdmin != want.Admin {
		if err := d.Users.SetAdmin(ctx, u.ID, want.Admin); err != nil {
			return false, err
		}
		changed = true
	}
	hash := ""
	switch {
	case want.PasswordHash != "" && want.PasswordHash != u.PasswordHash:
		hash = want.PasswordHash
	case pw != "" && !auth.CheckPassword(u.PasswordHash, pw):
		var err error
		if hash, err = auth.HashPassword(pw); err != nil {
			return false, err
		}
	}
	if hash == "" {
		return changed, nil
	}
	if err := d.Users.UpdatePassword(ctx, u.ID, hash, false); err != nil {
		return false, err
	}
	if _, err := d.Sessions.DeleteUserSessions(ctx, u.ID); err != nil {
		return false, err
	}
	return true, nil
}

func applyTokens(ctx context.Context, d Deps, res *Result) error {
	declared := map[string]bool{}
	for i, want := range d.Config.Tokens {
		declared[want.Hash] = true
		u, err := d.Users.FindUserByName(ctx, want.User)
		if app.ErrorKind(err) == app.ENOTFOUND {
			return app.Errorf(app.EINVALID, "provision.tokens[%d].user: there is no user %q (declare it in provision.users or create it with: belfry user add %s).", i, want.User, want.User)
		}
		if err != nil {
			return err
		}
		if want.Scope == app.ScopeAdmin && !u.IsAdmin {
			return app.Errorf(app.EINVALID, "provision.tokens[%d]: an admin token needs an administrator, and %q is not one.", i, u.Username)
		}
		t := &app.Token{UserID: u.ID, Name: strings.TrimSpace(want.Name), Scope: want.Scope, Hash: want.Hash}
		old, err := d.Tokens.FindTokenByHash(ctx, want.Hash)
		switch {
		case app.ErrorKind(err) == app.ENOTFOUND:
			res.TokensCreated++
		case err != nil:
			return err
		case old.UserID == t.UserID && old.Name == t.Name && old.Scope == t.Scope:
			continue
		default:
			// Replaced under the same id, keeping its history.
			if err := d.Tokens.RevokeToken(ctx, "", old.ID); err != nil {
				return err
			}
			t.ID, t.CreatedAt, t.LastUsedAt = old.ID, old.CreatedAt, old.LastUsedAt
			res.TokensUpdated++
		}
		if err := d.Tokens.CreateToken(ctx, t); err != nil {
			return fmt.Errorf("provision.tokens[%d]: %w", i, err)
		}
	}
	if !d.Config.OwnsTokens {
		return nil
	}
	users, err := d.Users.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		tokens, err := d.Tokens.ListTokens(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			if declared[t.Hash] {
				continue
			}
			if err := d.Tokens.RevokeToken(ctx, "", t.ID); err != nil {
				return err
			}
			d.Logger.Info("revoked a token the configuration does not declare (provision.owns_tokens)", "user", u.Username, "token", t.ID)
			res.TokensRevoked++
		}
	}
	return nil
}
