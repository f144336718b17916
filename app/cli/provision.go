package cli

import (
	"context"
	"fmt"

	"github.com/belfry/belfry/app/auth"
)

// The helpers of provisioning ([provision] in the config): they print what
// the configuration holds instead of secrets, and touch no database.

func (r *runner) userHash(_ context.Context, args []string) error {
	fs := r.flags("user hash", "< PASSWORD",
		"Read a password from the first line of standard input and print its argon2id hash, for\n"+
			"password_hash in [[provision.users]]. Nothing is stored.")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	pw, err := r.readPassword()
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	fmt.Fprintln(r.stdout, hash)
	return nil
}

func (r *runner) tokenGenerate(_ context.Context, args []string) error {
	fs := r.flags("token generate", "",
		"Print a new API token secret on the first line and its hash on the second: the hash goes in\n"+
			"[[provision.tokens]] (hash = \"…\"), the secret to the program that publishes. Nothing is stored:\n"+
			"the token works once a server started with that configuration.")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	secret, hash := auth.NewTokenSecret()
	fmt.Fprintf(r.stdout, "%s\n%s\n", secret, hash)
	return nil
}
