package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestCLITokenCreateListRevoke(t *testing.T) {
	env, path := testEnv(t)
	mustRun(t, env, "password-1\n", "user", "add", "gina", "--password-stdin")

	// The token is printed alone, so scripts can capture it.
	res := mustRun(t, env, "", "token", "create", "gina")
	secret := strings.TrimSuffix(res.stdout, "\n")
	if secret == "" || strings.ContainsAny(secret, " \n\t") || res.stderr != "" {
		t.Fatalf("token create printed %q (stderr %q)", res.stdout, res.stderr)
	}
	a, _ := openTestAuth(t, path)
	u, tok, err := a.TokenUser(context.Background(), secret)
	if err != nil || u.Username != "gina" || tok.Scope != app.ScopeClient {
		t.Fatalf("token resolves to %+v %+v %v; want gina with scope client", u, tok, err)
	}

	publish := strings.TrimSpace(mustRun(t, env, "", "token", "create", "--scope", "publish", "gina", "--name", "backup job").stdout)
	if _, tok, err := a.TokenUser(context.Background(), publish); err != nil || tok.Scope != app.ScopePublish || tok.Name != "backup job" {
		t.Fatalf("publish token: %+v %v", tok, err)
	}

	lines := strings.Split(strings.TrimSpace(mustRun(t, env, "", "token", "list", "gina").stdout), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^ID\s+NAME\s+SCOPE\s+CREATED\s+LAST USED$`).MatchString(lines[0]) {
		t.Fatalf("token list:\n%s", strings.Join(lines, "\n"))
	}
	var clientID string
	for _, l := range lines[1:] {
		f := regexp.MustCompile(`\s{2,}`).Split(l, -1)
		if len(f) != 5 {
			t.Fatalf("row %q has %d columns", l, len(f))
		}
		switch f[2] {
		case "client":
			clientID = f[0]
			if f[1] != "-" {
				t.Errorf("unnamed token shows name %q", f[1])
			}
		case "publish":
			if f[1] != "backup job" {
				t.Errorf("publish token shows name %q", f[1])
			}
		}
	}
	if clientID == "" {
		t.Fatal("client token not listed")
	}

	if res := mustRun(t, env, "", "token", "revoke", clientID); res.stdout != "Revoked token "+clientID+".\n" {
		t.Fatalf("revoke printed %q", res.stdout)
	}
	a, _ = openTestAuth(t, path) // a fresh process: no cached lookups
	if _, _, err := a.TokenUser(context.Background(), secret); app.ErrorKind(err) != app.EUNAUTHENTICATED {
		t.Fatalf("revoked token still works: %v", err)
	}
	wantFailure(t, runCLI(t, env, "", "token", "revoke", clientID), 1, "Token not found.")
}

func TestCLITokenErrors(t *testing.T) {
	env, _ := testEnv(t)
	wantFailure(t, runCLI(t, env, "", "token", "create", "nobody"), 1, `User "nobody" does not exist.`)
	wantFailure(t, runCLI(t, env, "", "token", "list", "nobody"), 1, `User "nobody" does not exist.`)
	wantFailure(t, runCLI(t, env, "", "token", "revoke", "01a2288b-0000-7000-8000-000000000000"), 1, "Token not found.")
}
