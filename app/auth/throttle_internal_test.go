package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestAddressAndUsernameKeys(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7": "192.0.2.7", "::ffff:192.0.2.7": "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64", "2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"": "", "not an address": "not an address",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"Alice": "alice", "alice": "alice", "bad name!": invalidUsername, "": invalidUsername} {
		if got := usernameKey(in); got != want {
			t.Errorf("usernameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLoginThrottleIsBounded sprays addresses and usernames: the buckets
// kept stay within maxTracked, and a spray of long invalid names shares
// one bucket.
func TestLoginThrottleIsBounded(t *testing.T) {
	cfg := app.DefaultConfig().Auth
	th := newLoginThrottle(cfg)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 * maxTracked {
		_ = th.admit(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), fmt.Sprintf("user%d", i), now)
	}
	if a, u := th.addresses.Len(), th.usernames.Len(); a != maxTracked || u != maxTracked {
		t.Fatalf("%d addresses and %d usernames kept after %d of each, bound %d", a, u, 3*maxTracked, maxTracked)
	}
	th = newLoginThrottle(cfg)
	for i := range 100 {
		_ = th.admit(fmt.Sprintf("2001:db8::%x", i), fmt.Sprintf("%0200d!", i), now)
	}
	if a, u := th.addresses.Len(), th.usernames.Len(); a != 1 || u != 1 {
		t.Fatalf("one /64 and invalid names: %d address and %d username buckets, want 1 and 1", a, u)
	}
}
