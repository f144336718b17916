package auth_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/auth"
)

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashPassword(t *testing.T) {
	h1, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(h1) {
		t.Fatalf("hash %q is not a PHC argon2id string", h1)
	}
	h2, _ := auth.HashPassword("correct horse")
	if h1 == h2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	if !auth.CheckPassword(h1, "correct horse") || !auth.CheckPassword(h2, "correct horse") {
		t.Fatal("CheckPassword rejects the right password")
	}
	if auth.CheckPassword(h1, "correct horsE") || auth.CheckPassword(h1, "") {
		t.Fatal("CheckPassword accepts a wrong password")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, _ := auth.HashPassword("pw")
	f := strings.Split(good, "$")
	join := func(parts ...string) string { return strings.Join(parts, "$") }
	for name, h := range map[string]string{
		"empty":       "",
		"bcrypt":      "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":     join("", "argon2i", f[2], f[3], f[4], f[5]),
		"version":     join("", "argon2id", "v=16", f[3], f[4], f[5]),
		"huge memory": join("", "argon2id", f[2], "m=4194304,t=2,p=1", f[4], f[5]),
		"zero time":   join("", "argon2id", f[2], "m=19456,t=0,p=1", f[4], f[5]),
		"params":      join("", "argon2id", f[2], "m=x", f[4], f[5]),
		"salt":        join("", "argon2id", f[2], f[3], "!!!", f[5]),
		"short key":   join("", "argon2id", f[2], f[3], f[4], "AAAA"),
		"extra field": good + "$x",
	} {
		if auth.CheckPassword(h, "pw") {
			t.Errorf("%s: CheckPassword(%q) matched", name, h)
		}
	}
}
