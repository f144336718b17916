package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: 19 MiB and two passes (OWASP's minimum), one lane,
// so a login costs tens of milliseconds on a Raspberry Pi and not seconds.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds accepted when reading a stored hash, so a tampered row cannot make
// a login allocate gigabytes.
const (
	maxArgonMemory = 1 << 20 // 1 GiB in KiB
	maxArgonTime   = 16
)

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of pw as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches hash, a string made by
// HashPassword (older parameters are honoured). The comparison takes
// constant time; a malformed hash never matches.
func CheckPassword(hash, pw string) bool {
	p, ok := parseHash(hash)
	if !ok {
		return false
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseHash reads a PHC argon2id string; fields are "", "argon2id", "v=19",
// "m=…,t=…,p=…", salt, key.
func parseHash(s string) (argonHash, bool) {
	var h argonHash
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return h, false
	}
	var version int
	if _, err := fmt.Sscanf(f[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return h, false
	}
	if m < 8 || m > maxArgonMemory || t < 1 || t > maxArgonTime || p < 1 {
		return h, false
	}
	salt, err1 := b64.DecodeString(f[4])
	key, err2 := b64.DecodeString(f[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return h, false
	}
	return argonHash{memory: m, time: t, threads: p, salt: salt, key: key}, true
}
