package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/auth"
)

func TestUserHash(t *testing.T) {
	res := mustRun(t, nil, "a long password\n", "user", "hash")
	hash := strings.TrimSuffix(res.stdout, "\n")
	if !auth.ValidHash(hash) || !auth.CheckPassword(hash, "a long password") || strings.Contains(hash, "\n") {
		t.Fatalf("user hash printed %q", res.stdout)
	}
	wantFailure(t, runCLI(t, nil, "short\n", "user", "hash"), 2, "Password must be at least 8 characters long.")
	wantFailure(t, runCLI(t, nil, "", "user", "hash"), 2, "no password on standard input")
}

func TestTokenGenerate(t *testing.T) {
	res := mustRun(t, nil, "", "token", "generate")
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], auth.TokenPrefix) {
		t.Fatalf("token generate printed %q", res.stdout)
	}
	sum := sha256.Sum256([]byte(lines[0])) // what `printf %s "$SECRET" | sha256sum` prints
	if lines[1] != hex.EncodeToString(sum[:]) {
		t.Fatalf("hash %s is not the SHA-256 of the secret", lines[1])
	}
}

// TestServeProvisions declares users and a token in a TOML file, the way a
// compose or NixOS setup does, and uses them against the running server.
func TestServeProvisions(t *testing.T) {
	env, _ := testEnv(t)
	dir := t.TempDir()
	pwFile := writeSecret(t, dir, "alice_password", "alice's long password\n")
	root := mustRun(t, nil, "root's long password\n", "user", "hash").stdout
	gen := strings.Fields(mustRun(t, nil, "", "token", "generate").stdout)
	config := writeConfig(t, `
[provision]
owns_users = true
owns_tokens = true

[[provision.users]]
name = "root"
admin = true
password_hash = '`+strings.TrimSpace(root)+`'

[[provision.users]]
name = "alice"
password_file = "`+pwFile+`"

[[provision.tokens]]
user = "alice"
name = "backups"
scope = "publish"
hash = "`+gen[1]+`"
`)
	env = append(env, "BELFRY_CONFIG="+config)
	mustRun(t, env, "", "config", "check")
	s := startServe(t, env)
	if len(s.before) != 0 {
		t.Fatalf("serve created a user of its own: %q", s.before)
	}
	req, _ := http.NewRequest("POST", s.url+"/api/v1/events", strings.NewReader(`{"type":"job_completed","title":"provisioned"}`))
	req.Header.Set("Authorization", "Bearer "+gen[0])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("publish with the provisioned token: %d", resp.StatusCode)
	}
	for user, pw := range map[string]string{"root": "root's long password", "alice": "alice's long password"} {
		resp, err := http.Post(s.url+"/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+pw+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s logs in with the provisioned password: %d", user, resp.StatusCode)
		}
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	list := mustRun(t, env, "", "user", "list").stdout
	if strings.Contains(list, "admin ") || !strings.Contains(list, "root") || !strings.Contains(list, "alice") {
		t.Fatalf("users after start:\n%s", list)
	}
}

// TestConfigCheckProvision: config check reads the password files and
// checks the hashes, as the start does, and names the line.
func TestConfigCheckProvision(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	path := writeConfig(t, "[provision]\n\n[[provision.users]]\nname = \"alice\"\npassword_file = \""+missing+"\"\n")
	wantFailure(t, runCLI(t, nil, "", "config", "check", "--config", path), 2,
		path+":3: provision.users[0] (alice): cannot read password_file "+missing)
	path = writeConfig(t, "[[provision.users]]\nname = \"alice\"\npassword_hash = '$argon2id$v=19$m=1,t=1,p=1$x$y'\n")
	wantFailure(t, runCLI(t, nil, "", "config", "check", "--config", path), 2,
		path+":1: provision.users[0] (alice): password_hash is not an argon2id hash")
}
