package auth

import (
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ratelimit"
)

// maxTracked bounds the client addresses and the usernames whose login
// buckets are kept, each (about 200 bytes a bucket): a spray of addresses
// or names evicts the least recently used instead of growing memory.
const maxTracked = 10_000

// invalidUsername is the one bucket of every name ValidateUsername refuses:
// no user has such a name, and the keys stay small.
const invalidUsername = "\x00invalid"

// loginThrottle is the rate limits on logins: every attempt spends a token
// of its client address; every attempt on a username spends one of the
// username's, and a successful login forgets the username's bucket, so
// that only failures count against it. Attempts are refused before any
// password is hashed.
type loginThrottle struct {
	addresses, usernames *ratelimit.Table

	byAddress, byUsername atomic.Uint64 // refusals
}

func newLoginThrottle(cfg app.AuthConfig) *loginThrottle {
	return &loginThrottle{
		addresses: ratelimit.New(cfg.LoginRatePerMinute/60, cfg.LoginBurst, maxTracked),
		usernames: ratelimit.New(cfg.UsernameFailuresPerMinute/60, cfg.UsernameFailureBurst, maxTracked),
	}
}

// admit spends the tokens of one attempt by client on username at now, or
// returns ERATELIMIT with the time to wait.
func (t *loginThrottle) admit(client, username string, now time.Time) error {
	if ok, wait := t.addresses.Take(addressKey(client), now); !ok {
		t.byAddress.Add(1)
		return &app.Error{Kind: app.ERATELIMIT, RetryAfter: wait, Message: "Too many sign-in attempts from your address. " +
			retryIn(wait)}
	}
	if ok, wait := t.usernames.Take(usernameKey(username), now); !ok {
		t.byUsername.Add(1)
		return &app.Error{Kind: app.ERATELIMIT, RetryAfter: wait, Message: "Too many failed sign-ins for this username. " +
			retryIn(wait)}
	}
	return nil
}

// succeeded forgets the failures of username.
func (t *loginThrottle) succeeded(username string) { t.usernames.Forget(usernameKey(username)) }

func retryIn(wait time.Duration) string {
	if n := app.RetrySeconds(wait); n != 1 {
		return "Please try again in " + strconv.Itoa(n) + " seconds."
	}
	return "Please try again in a second."
}

// addressKey is the bucket of a client address: an IPv4 address, or the
// /64 network of an IPv6 one, since one host usually holds a whole /64.
func addressKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil {
		return client[:min(len(client), 64)]
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// usernameKey is the bucket of a username: names are unique regardless of
// case, so "Admin" and "admin" share one.
func usernameKey(username string) string {
	if app.ValidateUsername(username) != nil {
		return invalidUsername
	}
	return strings.ToLower(username)
}
