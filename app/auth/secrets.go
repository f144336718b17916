package auth

// What provisioning needs to check and make secrets for the configuration:
// `belfry user hash`, `belfry token generate`, app/provision.

// ValidHash reports whether hash is an argon2id hash that CheckPassword can
// use, with parameters in the accepted bounds.
func ValidHash(hash string) bool {
	_, ok := parseHash(hash)
	return ok
}

// NewTokenSecret returns a new token secret, in the form CreateToken makes,
// and the hash under which it is stored (hex SHA-256).
func NewTokenSecret() (secret, hash string) {
	secret = TokenPrefix + randomString(tokenSecretBytes)
	return secret, hashSecret(secret)
}
