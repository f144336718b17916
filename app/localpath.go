package app

import (
	"net/url"
	"strings"
)

// LocalPath reports whether s is a path on this site: safe to redirect a
// browser to after login, and shown as an internal link. It is the one
// same-site rule; every transport asks it.
//
// s must start with a single "/" and hold no backslash and no control
// character (browsers drop tabs and newlines from URLs, and read "\" as
// "/", so "/\t/host" and "/\host" lead to another host), neither as it is
// nor once percent-decoded, and url.Parse must find no scheme and no host
// in it.
func LocalPath(s string) bool {
	if !sameSitePath(s) {
		return false
	}
	decoded, err := url.PathUnescape(s)
	if err != nil || !sameSitePath(decoded) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

// sameSitePath is LocalPath's check of the characters of s.
func sameSitePath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}
