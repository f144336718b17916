package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/belfry/belfry/app"
)

// privateAddressError is a refusal to connect to a non-public address (see
// privateRule). It is permanent: retrying cannot help.
type privateAddressError struct {
	addr netip.Addr
	rule string
}

func (e *privateAddressError) Error() string {
	return fmt.Sprintf("refused to connect to %s: a private network address, which %s", e.addr, e.rule)
}

// privateRule says why a webhook of an owner (an admin or not) may not reach
// private network addresses under cfg, as the end of a sentence, or "" when
// it may: webhooks.allow_private = false refuses them to everyone, and
// webhooks.private_admins_only to all but admins.
func privateRule(cfg app.WebhooksConfig, admin bool) string {
	switch {
	case !cfg.AllowPrivate:
		return "this server does not allow (webhooks.allow_private = false)"
	case cfg.PrivateAdminsOnly && !admin:
		return "this server allows only for admins' webhooks (webhooks.private_admins_only = true)"
	}
	return ""
}

// Ranges refused besides those netip classifies: shared address space
// (carrier-grade NAT, also Tailscale), "this network", and IPv6 ranges that
// are not public unicast (site-local, discard-only, documentation).
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("fec0::/10"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// IPv6 ranges that carry an IPv4 address a gateway or tunnel forwards to:
// an address in them is as private as the IPv4 address it embeds.
var (
	ipv4Compatible = netip.MustParsePrefix("::/96")           // deprecated IPv4-compatible
	ipv4Translated = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT, RFC 2765
	nat64          = netip.MustParsePrefix("64:ff9b::/96")    // NAT64 well-known, RFC 6052
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")  // NAT64 local use, RFC 8215
	sixToFour      = netip.MustParsePrefix("2002::/16")       // 6to4, RFC 3056
	teredo         = netip.MustParsePrefix("2001::/32")       // Teredo, RFC 4380
)

// isPrivate reports whether a is loopback, private, link-local, unspecified,
// multicast or otherwise not a public unicast address, or an IPv6 address
// embedding such an IPv4 address.
func isPrivate(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return true
		}
	}
	for _, v4 := range embeddedIPv4(a) {
		if isPrivate(v4) {
			return true
		}
	}
	return false
}

// embeddedIPv4 returns the IPv4 addresses an IPv6 address of a transition
// range carries: the last 32 bits for IPv4-compatible, SIIT and NAT64
// (the /96 form; the local-use /48 is refused whole, as its embedding
// varies), bits 16–48 for 6to4, and for Teredo the server (bits 32–64) and
// the obfuscated client (the last 32 bits, inverted). An ISATAP interface
// identifier (…:0:5efe:a.b.c.d or …:200:5efe:a.b.c.d) embeds one too.
func embeddedIPv4(a netip.Addr) []netip.Addr {
	if !a.Is6() {
		return nil
	}
	b := a.As16()
	v4 := func(x []byte) netip.Addr { return netip.AddrFrom4([4]byte(x)) }
	var out []netip.Addr
	switch {
	case nat64Local.Contains(a):
		return []netip.Addr{netip.IPv4Unspecified()}
	case ipv4Compatible.Contains(a), ipv4Translated.Contains(a), nat64.Contains(a):
		out = append(out, v4(b[12:16]))
	case sixToFour.Contains(a):
		out = append(out, v4(b[2:6]))
	case teredo.Contains(a):
		out = append(out, v4(b[4:8]), netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}))
	}
	if (b[8]|0x02) == 0x02 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe {
		out = append(out, v4(b[12:16]))
	}
	return out
}

// refusePrivate returns a net.Dialer Control function refusing private
// addresses for rule (privateRule): it runs after name resolution, on the
// address actually dialled, so a host name that resolves (or is rebound) to
// a private address is refused too.
func refusePrivate(rule string) func(_, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("refused to connect to %q: not an IP address", host)
		}
		if isPrivate(a) {
			return &privateAddressError{addr: a.Unmap(), rule: rule}
		}
		return nil
	}
}

// resolveTimeout bounds the DNS look-up of CheckTarget.
const resolveTimeout = 3 * time.Second

// CheckTarget validates a webhook URL and, when rule (privateRule) is not
// "", refuses one whose host is, or resolves to, a private address. A name
// that does not resolve is accepted: the dial-time guard still applies at
// delivery. Errors are EINVALID.
func CheckTarget(ctx context.Context, raw, rule string) error {
	if err := app.ValidateWebhookURL(raw); err != nil {
		return err
	}
	if rule == "" {
		return nil
	}
	u, _ := url.Parse(raw)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	refused := app.Errorf(app.EINVALID, "Field url points at a private network address, which %s.", rule)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return refused
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if isPrivate(a) {
			return refused
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if isPrivate(a) {
			return refused
		}
	}
	return nil
}

// isPrivateRefusal reports whether err is a refusal by the dial guard.
func isPrivateRefusal(err error) bool {
	var pe *privateAddressError
	return errors.As(err, &pe)
}
