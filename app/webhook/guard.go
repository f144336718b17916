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

// privateAddressError is a refusal to connect to a non-public address when
// webhooks.allow_private is false. It is permanent: retrying cannot help.
type privateAddressError struct{ addr netip.Addr }

func (e *privateAddressError) Error() string {
	return fmt.Sprintf("refused to connect to %s: private network addresses are not allowed (webhooks.allow_private = false)", e.addr)
}

// Ranges refused besides those netip classifies: shared address space
// (carrier-grade NAT, also Tailscale) and "this network".
var (
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
)

// isPrivate reports whether a is loopback, private, link-local, unspecified,
// multicast or otherwise not a public unicast address.
func isPrivate(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() ||
		sharedSpace.Contains(a) || thisNetwork.Contains(a)
}

// refusePrivate is a net.Dialer Control function: it runs after name
// resolution, on the address actually dialled, so a host name that resolves
// (or is rebound) to a private address is refused too.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("refused to connect to %q: not an IP address", host)
	}
	if isPrivate(a) {
		return &privateAddressError{addr: a.Unmap()}
	}
	return nil
}

// resolveTimeout bounds the DNS look-up of CheckTarget.
const resolveTimeout = 3 * time.Second

// CheckTarget validates a webhook URL and, unless allowPrivate, refuses one
// whose host is, or resolves to, a private address. A name that does not
// resolve is accepted: the dial-time guard still applies at delivery.
// Errors are EINVALID.
func CheckTarget(ctx context.Context, raw string, allowPrivate bool) error {
	if err := app.ValidateWebhookURL(raw); err != nil {
		return err
	}
	if allowPrivate {
		return nil
	}
	u, _ := url.Parse(raw)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	refused := app.Errorf(app.EINVALID, "Field url points at a private network address, which this server does not allow (webhooks.allow_private = false).")
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
