package app

import (
	"regexp"
	"strings"
)

// tokenHashPattern is the hex SHA-256 that the tokens table stores.
var tokenHashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// validate checks the shape of what provisioning declares. app/provision
// checks the rest at start (argon2id hashes, password files, the users of
// tokens), as `belfry config check` does.
func (p *ProvisionConfig) validate() error {
	names := map[string]bool{}
	admins := 0
	for i, u := range p.Users {
		if err := ValidateUsername(u.Name); err != nil {
			return invalidf("provision.users[%d].name: %s", i, ErrorMessage(err))
		}
		key := strings.ToLower(u.Name)
		if names[key] {
			return invalidf("provision.users[%d]: user %q is declared twice.", i, u.Name)
		}
		names[key] = true
		if u.PasswordHash != "" && u.PasswordFile != "" {
			return invalidf("provision.users[%d] (%s): set password_hash or password_file, not both.", i, u.Name)
		}
		if u.PasswordHash != "" && !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			return invalidf("provision.users[%d] (%s): password_hash must be an argon2id hash as `belfry user hash` prints it ($argon2id$…).", i, u.Name)
		}
		if u.Admin {
			admins++
		}
	}
	if p.OwnsUsers && admins == 0 {
		return invalidf("provision.owns_users deletes every user that provision.users does not declare: declare at least one user with admin = true.")
	}
	hashes := map[string]bool{}
	for i, t := range p.Tokens {
		if err := ValidateUsername(t.User); err != nil {
			return invalidf("provision.tokens[%d].user: %s", i, ErrorMessage(err))
		}
		if p.OwnsUsers && !names[strings.ToLower(t.User)] {
			return invalidf("provision.tokens[%d].user: %q is not in provision.users, and provision.owns_users deletes it.", i, t.User)
		}
		if !t.Scope.Valid() {
			return invalidf("provision.tokens[%d].scope must be client, publish or admin, not %q.", i, t.Scope)
		}
		if !tokenHashPattern.MatchString(t.Hash) {
			return invalidf("provision.tokens[%d].hash must be the 64 hex digits of the secret's SHA-256, as `belfry token generate` prints them.", i)
		}
		if hashes[t.Hash] {
			return invalidf("provision.tokens[%d]: the same hash is declared twice.", i)
		}
		hashes[t.Hash] = true
		if len(t.Name) > 100 {
			return invalidf("provision.tokens[%d].name must be at most 100 bytes.", i)
		}
	}
	return nil
}
