package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/belfry/belfry/app"
)

// subcommand is one command of a group such as user or token.
type subcommand struct {
	name, synopsis string
	run            func(r *runner, ctx context.Context, args []string) error
}

var userCommands = []subcommand{
	{"add", "NAME [--admin] [--password-stdin]", (*runner).userAdd},
	{"list", "", (*runner).userList},
	{"passwd", "NAME [--password-stdin]", (*runner).userPasswd},
	{"delete", "NAME", (*runner).userDelete},
	{"hash", "< PASSWORD", (*runner).userHash},
}

func (r *runner) user(ctx context.Context, args []string) error {
	return r.group(ctx, "user", "Manage users directly in the database (works while a server runs).", userCommands, args)
}

// group runs the subcommand of group named by args[0].
func (r *runner) group(ctx context.Context, group, about string, subs []subcommand, args []string) error {
	if len(args) > 0 {
		for _, s := range subs {
			if s.name == args[0] {
				return s.run(r, ctx, args[1:])
			}
		}
	}
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: belfry %s COMMAND\n\n%s\n\nCommands:\n", group, about)
		for _, s := range subs {
			fmt.Fprintf(w, "  belfry %s %s %s\n", group, s.name, s.synopsis)
		}
		fmt.Fprintf(w, "\nRun belfry %s COMMAND --help for its flags.\n", group)
	}
	switch {
	case len(args) == 0:
		help(r.stderr)
		return usagef("%s: no command given", group)
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help":
		help(r.stdout)
		return errHelpShown
	}
	return usagef("%s: unknown command %q (see belfry %s --help)", group, args[0], group)
}

// newPassword returns a random password of 26 base32 characters (130 bits).
func newPassword() string { return rand.Text() }

func (r *runner) userAdd(ctx context.Context, args []string) error {
	fs := r.flags("user add", "NAME [--admin] [--password-stdin]",
		"Create a user. Without --password-stdin a random password is generated and printed once.")
	isAdmin := fs.Bool("admin", false, "make the user an administrator")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	name := pos[0]
	if err := app.ValidateUsername(name); err != nil {
		return &UsageError{Err: err}
	}
	pw, a, err := r.passwordAndAdmin(ctx, fs, *stdin)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.auth.CreateUser(ctx, name, pw, *isAdmin); err != nil {
		return err
	}
	what := "user"
	if *isAdmin {
		what = "administrator"
	}
	if *stdin {
		fmt.Fprintf(r.stdout, "Created %s %q.\n", what, name)
	} else {
		fmt.Fprintf(r.stdout, "Created %s %q with password: %s\n", what, name, pw)
	}
	return nil
}

func (r *runner) userList(ctx context.Context, args []string) error {
	fs := r.flags("user list", "", "List every user.")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	return r.withAdmin(ctx, fs, func(a *admin) error {
		users, err := a.users.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(r.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tADMIN\tCREATED")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Username, yesNo(u.IsAdmin), formatTime(u.CreatedAt))
		}
		return tw.Flush()
	})
}

func (r *runner) userPasswd(ctx context.Context, args []string) error {
	fs := r.flags("user passwd", "NAME [--password-stdin]",
		"Set a user's password. Without --password-stdin a random password is generated and printed once.")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	pw, a, err := r.passwordAndAdmin(ctx, fs, *stdin)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.user(ctx, pos[0]); err != nil {
		return err
	}
	// A printed password is temporary: the UI asks to replace it.
	if err := a.auth.SetPassword(ctx, pos[0], pw, !*stdin); err != nil {
		return err
	}
	if *stdin {
		fmt.Fprintf(r.stdout, "Changed the password of %q.\n", pos[0])
	} else {
		fmt.Fprintf(r.stdout, "New password of %q: %s\n", pos[0], pw)
	}
	return nil
}

func (r *runner) userDelete(ctx context.Context, args []string) error {
	fs := r.flags("user delete", "NAME", "Delete a user with their notifications, tokens, sessions, preferences and mutes.")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return r.withAdmin(ctx, fs, func(a *admin) error {
		u, err := a.user(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := a.auth.DeleteUser(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(r.stdout, "Deleted user %q.\n", u.Username)
		return nil
	})
}

// passwordAndAdmin reads the password a command sets — from standard input
// with --password-stdin, otherwise a new random one — and opens the
// database of the configuration.
func (r *runner) passwordAndAdmin(ctx context.Context, fs *flagSet, stdin bool) (string, *admin, error) {
	cfg, err := r.config(fs)
	if err != nil {
		return "", nil, err
	}
	pw := newPassword()
	if stdin {
		if pw, err = r.readPassword(); err != nil {
			return "", nil, err
		}
	}
	a, err := r.openAdmin(ctx, cfg)
	return pw, a, err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// formatTime shows t in UTC to the second; the zero time is "never".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}
