package app

import (
	"net"
	"strconv"
	"strings"
)

// IsLoopbackHost reports whether host (a name or an IP address, without
// port or brackets) always means this machine: "localhost" or an address
// in 127.0.0.0/8 or ::1. Other names are not trusted, however they resolve:
// DNS can point any name at 127.0.0.1 (DNS rebinding).
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (m *MetricsConfig) validate() error {
	if m.Listen == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(m.Listen)
	if err != nil {
		return invalidf("metrics.listen must be empty (serve /metrics on server.listen) or host:port such as 0.0.0.0:9090, not %q.", m.Listen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return invalidf("metrics.listen has an invalid port %q.", port)
	}
	return nil
}

func (r *RetentionConfig) validate() error {
	if err := positiveDurations(map[string]Duration{"retention.interval": r.Interval}); err != nil {
		return err
	}
	keep := map[string]Duration{
		"retention.read_notifications": r.ReadNotifications, "retention.channel_messages": r.ChannelMessages,
	}
	for _, key := range sortedKeys(keep) {
		if keep[key].Duration < 0 {
			return invalidf("%s must not be negative (0s keeps everything).", key)
		}
	}
	if r.MaxPerUser < 0 {
		return invalidf("retention.max_per_user must not be negative (0 keeps everything), not %d.", r.MaxPerUser)
	}
	return nil
}

// validateDesktop refuses desktop mode unless only this machine can reach
// the listener: signing in without a password is safe only there.
func (c *Config) validateDesktop() error {
	name := c.Auth.DesktopUser
	if name == "" {
		return nil
	}
	if err := ValidateUsername(name); err != nil {
		return invalidf("auth.desktop_user: %s", ErrorMessage(err))
	}
	host, _, _ := net.SplitHostPort(c.Server.Listen) // Server.validate checked it
	if !IsLoopbackHost(host) {
		return invalidf("auth.desktop_user signs requests in without a password, so server.listen must be a loopback address such as 127.0.0.1:8080, not %q.", c.Server.Listen)
	}
	if len(c.Server.TrustedProxies) > 0 {
		return invalidf("auth.desktop_user cannot be combined with server.trusted_proxies: behind a proxy every visitor would look local.")
	}
	return nil
}
