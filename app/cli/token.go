package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/belfry/belfry/app"
)

var tokenCommands = []subcommand{
	{"create", "USER [--name N] [--scope client|publish|admin]", (*runner).tokenCreate},
	{"list", "USER", (*runner).tokenList},
	{"revoke", "ID", (*runner).tokenRevoke},
	{"generate", "", (*runner).tokenGenerate},
}

func (r *runner) token(ctx context.Context, args []string) error {
	return r.group(ctx, "token", "Manage personal API tokens directly in the database (works while a server runs).", tokenCommands, args)
}

func (r *runner) tokenCreate(ctx context.Context, args []string) error {
	fs := r.flags("token create", "USER [--name N] [--scope client|publish|admin]",
		"Create an API token for USER and print it, alone, on standard output. It is shown only this once.\n"+
			"Scopes: client reads and acts on the owner's notifications, publish posts events, admin may do everything.")
	name := fs.String("name", "", "a `name` to recognise the token by")
	scope := fs.String("scope", string(app.ScopeClient), "what the token may do: client, publish or admin")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if !app.Scope(*scope).Valid() {
		return usagef("token create: --scope must be client, publish or admin, not %q", *scope)
	}
	return r.withAdmin(ctx, fs, func(a *admin) error {
		u, err := a.user(ctx, pos[0])
		if err != nil {
			return err
		}
		secret, _, err := a.auth.CreateToken(ctx, u.ID, *name, app.Scope(*scope))
		if err != nil {
			return err
		}
		fmt.Fprintln(r.stdout, secret)
		return nil
	})
}

func (r *runner) tokenList(ctx context.Context, args []string) error {
	fs := r.flags("token list", "USER", "List the API tokens of USER (their secrets are never stored).")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return r.withAdmin(ctx, fs, func(a *admin) error {
		u, err := a.user(ctx, pos[0])
		if err != nil {
			return err
		}
		tokens, err := a.auth.ListTokens(ctx, u.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(r.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tCREATED\tLAST USED")
		for _, t := range tokens {
			lastUsed := "never"
			if t.LastUsedAt != nil {
				lastUsed = formatTime(*t.LastUsedAt)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, dash(t.Name), t.Scope, formatTime(t.CreatedAt), lastUsed)
		}
		return tw.Flush()
	})
}

func (r *runner) tokenRevoke(ctx context.Context, args []string) error {
	fs := r.flags("token revoke", "ID",
		"Revoke the API token with this ID (see belfry token list). A running server stops accepting it within seconds.")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return r.withAdmin(ctx, fs, func(a *admin) error {
		if err := a.auth.RevokeToken(ctx, "", pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(r.stdout, "Revoked token %s.\n", pos[0])
		return nil
	})
}

// dash shows an empty string as "-" in tables.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
