package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/db"
)

// openTestAuth opens the database at path with an auth service over it, as
// a second process would.
func openTestAuth(t *testing.T, path string) (*auth.Service, *db.UserStore) {
	t.Helper()
	d, err := db.Open(apptest.DBOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	users := db.NewUserStore(d)
	return apptest.Auth(d), users
}

// canLogin reports whether username can log in with password.
func canLogin(t *testing.T, path, username, password string) bool {
	t.Helper()
	a, _ := openTestAuth(t, path)
	_, _, err := a.Login(context.Background(), "", username, password)
	if err != nil && app.ErrorKind(err) != app.EUNAUTHENTICATED {
		t.Fatalf("login: %v", err)
	}
	return err == nil
}

var generatedPassword = regexp.MustCompile(`with password: (\S+)\n$`)

func TestCLIUserAdd(t *testing.T) {
	env, path := testEnv(t)

	res := mustRun(t, env, "", "user", "add", "alice")
	m := generatedPassword.FindStringSubmatch(res.stdout)
	if m == nil || !strings.HasPrefix(res.stdout, `Created user "alice"`) {
		t.Fatalf("unexpected output %q", res.stdout)
	}
	if !canLogin(t, path, "alice", m[1]) {
		t.Fatal("the printed password does not log alice in")
	}

	res = mustRun(t, env, "correct horse battery\n", "user", "add", "--password-stdin", "bob", "--admin")
	if res.stdout != "Created administrator \"bob\".\n" {
		t.Fatalf("unexpected output %q", res.stdout)
	}
	if !canLogin(t, path, "bob", "correct horse battery") {
		t.Fatal("bob cannot log in with the password from stdin")
	}
	_, users := openTestAuth(t, path)
	if u, err := users.FindUserByName(context.Background(), "bob"); err != nil || !u.IsAdmin {
		t.Fatalf("bob: %+v %v", u, err)
	}

	t.Run("taken", func(t *testing.T) {
		wantFailure(t, runCLI(t, env, "", "user", "add", "ALICE"), 1, "taken")
	})
	t.Run("short password", func(t *testing.T) {
		wantFailure(t, runCLI(t, env, "short\n", "user", "add", "carol", "--password-stdin"), 2, "at least 8 characters")
	})
	t.Run("no password", func(t *testing.T) {
		wantFailure(t, runCLI(t, env, "", "user", "add", "carol", "--password-stdin"), 2, "no password on standard input")
	})
}

func TestCLIUserList(t *testing.T) {
	env, _ := testEnv(t)
	res := mustRun(t, env, "", "user", "list")
	if res.stdout != "USERNAME  ADMIN  CREATED\n" {
		t.Fatalf("empty list: %q", res.stdout)
	}
	mustRun(t, env, "password-1\n", "user", "add", "zed", "--password-stdin", "--admin")
	mustRun(t, env, "password-2\n", "user", "add", "amy", "--password-stdin")
	lines := strings.Split(strings.TrimSpace(mustRun(t, env, "", "user", "list").stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two users, got %q", lines)
	}
	for i, want := range []string{`^amy\s+no\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`, `^zed\s+yes\s+\d{4}-`} {
		if !regexp.MustCompile(want).MatchString(lines[i+1]) {
			t.Errorf("line %q does not match %s", lines[i+1], want)
		}
	}
}

func TestCLIUserPasswd(t *testing.T) {
	env, path := testEnv(t)
	mustRun(t, env, "first password\n", "user", "add", "dora", "--password-stdin")

	res := mustRun(t, env, "second password\r\n", "user", "passwd", "dora", "--password-stdin")
	if res.stdout != "Changed the password of \"dora\".\n" {
		t.Fatalf("unexpected output %q", res.stdout)
	}
	if canLogin(t, path, "dora", "first password") || !canLogin(t, path, "dora", "second password") {
		t.Fatal("the password was not replaced")
	}

	res = mustRun(t, env, "", "user", "passwd", "dora")
	m := regexp.MustCompile(`^New password of "dora": (\S+)\n$`).FindStringSubmatch(res.stdout)
	if m == nil || !canLogin(t, path, "dora", m[1]) {
		t.Fatalf("generated password %q does not work", res.stdout)
	}

	wantFailure(t, runCLI(t, env, "", "user", "passwd", "nobody"), 1, `User "nobody" does not exist.`)
	wantFailure(t, runCLI(t, env, "tiny\n", "user", "passwd", "dora", "--password-stdin"), 2, "at least 8 characters")
}

func TestCLIUserDelete(t *testing.T) {
	env, _ := testEnv(t)
	mustRun(t, env, "password-1\n", "user", "add", "eve", "--password-stdin")
	mustRun(t, env, "password-2\n", "user", "add", "frank", "--password-stdin")
	if res := mustRun(t, env, "", "user", "delete", "eve"); res.stdout != "Deleted user \"eve\".\n" {
		t.Fatalf("unexpected output %q", res.stdout)
	}
	list := mustRun(t, env, "", "user", "list").stdout
	if strings.Contains(list, "eve") || !strings.Contains(list, "frank") {
		t.Fatalf("list after delete:\n%s", list)
	}
	wantFailure(t, runCLI(t, env, "", "user", "delete", "eve"), 1, `User "eve" does not exist.`)
}
