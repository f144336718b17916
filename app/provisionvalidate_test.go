package app

import (
	"strings"
	"testing"
)

func TestConfigValidateProvision(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	argon := "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"
	user := func(name string, admin bool) ProvisionedUser { return ProvisionedUser{Name: name, Admin: admin} }
	token := func(user string, scope Scope, hash string) ProvisionedToken {
		return ProvisionedToken{User: user, Scope: scope, Hash: hash}
	}
	for _, tc := range []struct {
		name string
		p    ProvisionConfig
		want string
	}{
		{"bad name", ProvisionConfig{Users: []ProvisionedUser{user("no spaces", false)}}, `provision.users[0].name: Username "no spaces"`},
		{"twice", ProvisionConfig{Users: []ProvisionedUser{user("alice", false), user("Alice", true)}}, `provision.users[1]: user "Alice" is declared twice.`},
		{"hash and file", ProvisionConfig{Users: []ProvisionedUser{{Name: "a", PasswordHash: argon, PasswordFile: "/f"}}},
			"provision.users[0] (a): set password_hash or password_file, not both."},
		{"not argon2id", ProvisionConfig{Users: []ProvisionedUser{{Name: "a", PasswordHash: "$2y$10$bcrypt"}}},
			"provision.users[0] (a): password_hash must be an argon2id hash"},
		{"owns users without admin", ProvisionConfig{OwnsUsers: true, Users: []ProvisionedUser{user("a", false)}},
			"provision.owns_users deletes every user that provision.users does not declare: declare at least one user with admin = true."},
		{"token user", ProvisionConfig{Tokens: []ProvisionedToken{token("", ScopeClient, hash)}}, "provision.tokens[0].user: Username"},
		{"token of an undeclared user that owns_users deletes", ProvisionConfig{OwnsUsers: true, Users: []ProvisionedUser{user("root", true)},
			Tokens: []ProvisionedToken{token("other", ScopeClient, hash)}}, `provision.tokens[0].user: "other" is not in provision.users`},
		{"scope", ProvisionConfig{Tokens: []ProvisionedToken{token("a", "everything", hash)}}, `provision.tokens[0].scope must be client, publish or admin, not "everything".`},
		{"hash", ProvisionConfig{Tokens: []ProvisionedToken{token("a", ScopeClient, "blf_the_secret_itself")}}, "provision.tokens[0].hash must be the 64 hex digits"},
		{"upper-case hash", ProvisionConfig{Tokens: []ProvisionedToken{token("a", ScopeClient, strings.ToUpper(hash))}}, "provision.tokens[0].hash must be"},
		{"same hash", ProvisionConfig{Tokens: []ProvisionedToken{token("a", ScopeClient, hash), token("b", ScopeClient, hash)}},
			"provision.tokens[1]: the same hash is declared twice."},
		{"long name", ProvisionConfig{Tokens: []ProvisionedToken{{User: "a", Scope: ScopeClient, Hash: hash, Name: strings.Repeat("n", 101)}}},
			"provision.tokens[0].name must be at most 100 bytes."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Provision = tc.p
			wantConfigError(t, cfg.Validate(), tc.want)
		})
	}
	cfg := DefaultConfig()
	cfg.Provision = ProvisionConfig{OwnsUsers: true, OwnsTokens: true,
		Users:  []ProvisionedUser{user("root", true), {Name: "alice", PasswordHash: argon}, {Name: "bob", PasswordFile: "/run/secrets/bob"}},
		Tokens: []ProvisionedToken{token("alice", ScopePublish, hash)}}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("a good provisioning: %v", err)
	}
}
