package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// writeSecret writes content to a file called name in dir and returns its path.
func writeSecret(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSecretFromFileEveryKey reads every secret-bearing key from a file
// named by its _FILE variable, so a secret key added later (SMTP, OIDC,
// database.url) is covered as soon as it carries the secret tag.
func TestSecretFromFileEveryKey(t *testing.T) {
	defaults := app.DefaultConfig()
	n := 0
	for _, f := range configFields(&defaults) {
		if !f.Secret {
			continue
		}
		n++
		t.Run(f.Env, func(t *testing.T) {
			path := writeSecret(t, t.TempDir(), "secret", "correct horse battery\n")
			cfg, err := LoadConfig("", []string{f.Env + EnvFileSuffix + "=" + path})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range configFields(&cfg) {
				if g.Key == f.Key && g.Value.String() != "correct horse battery" {
					t.Fatalf("%s = %q", f.Key, g.Value.String())
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no key carries the secret tag")
	}
}

// TestSecretKeysAreTagged: a key whose name says it holds a secret must
// carry the secret tag, so that it also accepts a _FILE variable.
func TestSecretKeysAreTagged(t *testing.T) {
	defaults := app.DefaultConfig()
	for _, f := range configFields(&defaults) {
		name := f.Key[strings.LastIndex(f.Key, ".")+1:]
		looksSecret := name == "password" || strings.HasSuffix(name, "_password") || strings.HasSuffix(name, "secret") ||
			name == "token" || strings.HasSuffix(name, "_token") || f.Key == "database.url"
		if looksSecret && f.Scalar && !f.Secret {
			t.Errorf("%s looks like a secret but has no secret:\"true\" tag", f.Key)
		}
	}
}

func TestSecretFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ content, want string }{
		{"hunter2hunter2\n", "hunter2hunter2"},
		{"hunter2hunter2\r\n", "hunter2hunter2"},
		{"hunter2hunter2", "hunter2hunter2"},
		{"  spaced  words \n\n", "  spaced  words \n"}, // only the last line break goes
	} {
		path := writeSecret(t, dir, "pw", tc.content)
		cfg, err := LoadConfig("", []string{"BELFRY_AUTH_ADMIN_PASSWORD_FILE=" + path})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Auth.AdminPassword != tc.want {
			t.Errorf("file %q: admin_password %q, want %q", tc.content, cfg.Auth.AdminPassword, tc.want)
		}
	}
}

// TestSecretFileSystemdCredentials: with LoadCredential=admin_password:…
// systemd puts the file in $CREDENTIALS_DIRECTORY; a relative _FILE path is
// looked up there (an absolute one, such as %d/admin_password, as is).
func TestSecretFileSystemdCredentials(t *testing.T) {
	creds := t.TempDir()
	path := writeSecret(t, creds, "admin_password", "from systemd credentials\n")
	for _, value := range []string{"admin_password", path} {
		cfg, err := LoadConfig("", []string{EnvCredentialsDirectory + "=" + creds, "BELFRY_AUTH_ADMIN_PASSWORD_FILE=" + value})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Auth.AdminPassword != "from systemd credentials" {
			t.Fatalf("%s: admin_password %q", value, cfg.Auth.AdminPassword)
		}
	}
}

func TestSecretFileErrors(t *testing.T) {
	dir := t.TempDir()
	path := writeSecret(t, dir, "pw", "do not print me\n")
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"BELFRY_AUTH_ADMIN_PASSWORD_FILE=" + missing},
			"environment variable BELFRY_AUTH_ADMIN_PASSWORD_FILE: cannot read " + missing + ": no such file or directory."},
		{[]string{"BELFRY_AUTH_ADMIN_PASSWORD_FILE=" + dir}, "BELFRY_AUTH_ADMIN_PASSWORD_FILE: cannot read " + dir},
		{[]string{"BELFRY_AUTH_ADMIN_PASSWORD_FILE="}, "BELFRY_AUTH_ADMIN_PASSWORD_FILE: names no file."},
		{[]string{"BELFRY_AUTH_ADMIN_PASSWORD=direct password", "BELFRY_AUTH_ADMIN_PASSWORD_FILE=" + path},
			"environment variables BELFRY_AUTH_ADMIN_PASSWORD and BELFRY_AUTH_ADMIN_PASSWORD_FILE both set auth.admin_password: keep one."},
		{[]string{"BELFRY_SERVER_LISTEN_FILE=" + path},
			"environment variable BELFRY_SERVER_LISTEN_FILE: server.listen is not a secret and cannot be read from a file; set BELFRY_SERVER_LISTEN."},
		{[]string{"BELFRY_SERVER_LISEN_FILE=" + path}, "environment variable BELFRY_SERVER_LISEN_FILE names no configuration key"},
	} {
		_, err := LoadConfig("", tc.env)
		wantConfigError(t, err, tc.want)
		if strings.Contains(err.Error(), "do not print me") {
			t.Fatalf("the error shows the secret: %v", err)
		}
	}
}
