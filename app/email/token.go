package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// An unsubscribe token says "turn off <type>_email for <user> until
// <expiry>", signed with the server's unsubscribe key. The purpose is part
// of what is signed, so the key signs nothing else that could pass for it.
const tokenPurpose = "belfry-unsubscribe-v1"

// b64 is strict: a token has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// unsubscribeToken returns the token of userID's e-mail of typ, valid
// until expiry.
func (s *Service) unsubscribeToken(userID, typ string, expiry time.Time) string {
	payload := userID + "|" + typ + "|" + strconv.FormatInt(expiry.Unix(), 10)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(s.sign(payload))
}

func (s *Service) sign(payload string) []byte {
	m := hmac.New(sha256.New, s.d.Key)
	m.Write([]byte(tokenPurpose + "\x00" + payload))
	return m.Sum(nil)
}

// errBadToken is the one answer to a token that is not ours, changed or
// truncated: it says nothing about which part failed.
func errBadToken() error {
	return &app.Error{Kind: app.EINVALID, Code: "UNSUBSCRIBE_LINK_INVALID", Message: "This unsubscribe link is not valid."}
}

// parseToken checks tok's signature and expiry at now and returns whom and
// what it unsubscribes.
func (s *Service) parseToken(tok string, now time.Time) (userID, typ string, err error) {
	enc, encSig, ok := strings.Cut(tok, ".")
	if !ok {
		return "", "", errBadToken()
	}
	raw, err1 := b64.DecodeString(enc)
	sig, err2 := b64.DecodeString(encSig)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.sign(string(raw))) {
		return "", "", errBadToken()
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return "", "", errBadToken()
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", "", errBadToken()
	}
	if !now.Before(time.Unix(exp, 0)) {
		return "", "", &app.Error{Kind: app.EINVALID, Code: "UNSUBSCRIBE_LINK_EXPIRED",
			Message: "This unsubscribe link has expired; turn the e-mail off on Belfry's Preferences page."}
	}
	return parts[0], parts[1], nil
}
