package hooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/belfry/belfry/app"
)

// SignatureHeader carries the HMAC-SHA256 of a request body under the
// token's secret, as GitHub sends it: "sha256=<hex>".
const SignatureHeader = "X-Hub-Signature-256"

// MaxSecretLen bounds a token's signing secret.
const MaxSecretLen = 256

// verifySignature checks header against the HMAC-SHA256 of body under
// secret, in constant time. Errors: EUNAUTHENTICATED saying what is wrong.
func verifySignature(secret string, body []byte, header string) error {
	if header == "" {
		return app.Errorf(app.EUNAUTHENTICATED, "The %s header is missing: this token has a secret, so every request must be signed with it.", SignatureHeader)
	}
	sum, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	got, err := hex.DecodeString(sum)
	if !ok || err != nil || len(got) != sha256.Size {
		return app.Errorf(app.EUNAUTHENTICATED, "The %s header must be sha256= and the hex HMAC-SHA256 of the body.", SignatureHeader)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return app.Errorf(app.EUNAUTHENTICATED, "The %s header does not match the body: check that the sender uses this token's secret.", SignatureHeader)
	}
	return nil
}

// mappingOf returns the mapping of the token a hook came with, nil when
// it has none.
func (s *Service) mappingOf(ctx context.Context, u *app.User, t *app.Token) (*app.TokenMapping, error) {
	m, err := s.d.Mappings.FindTokenMapping(ctx, u.ID, t.ID)
	if app.ErrorKind(err) == app.ENOTFOUND {
		return nil, nil
	}
	return m, err
}

// checkSignature verifies the request's signature when the token has a
// secret; senders that sign (GitHub, custom hooks) are checked.
func checkSignature(m *app.TokenMapping, body []byte, header string) error {
	if m == nil || m.Secret == "" {
		return nil
	}
	return verifySignature(m.Secret, body, header)
}
