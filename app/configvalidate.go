package app

import (
	"errors"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Validate checks every key of c and returns the first problem as an
// EINVALID error with a one-line message naming the key. A port of 0 in
// server.listen is accepted: the system then picks a free port.
func (c *Config) Validate() error {
	for _, check := range []func() error{
		c.Server.validate, c.Database.validate, c.Auth.validate, c.Notifications.validate,
		c.Storm.validate, c.WebSocket.validate, c.Polling.validate, c.Webhooks.validate, c.Email.validate, c.Push.validate, c.Log.validate,
		c.Report.validate, c.Metrics.validate, c.Retention.validate, c.Schedule.validate, c.Provision.validate, c.Cluster.validate, c.validateDesktop,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func invalidf(format string, args ...any) error {
	return Errorf(EINVALID, format, args...)
}

func (s *ServerConfig) validate() error {
	host, port, err := net.SplitHostPort(s.Listen)
	if err != nil || strings.ContainsAny(host, " /") {
		return invalidf("server.listen must be host:port (e.g. 127.0.0.1:8080), not %q.", s.Listen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return invalidf("server.listen has an invalid port %q.", port)
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return invalidf("server.base_url must be an absolute http:// or https:// URL without query, not %q.", s.BaseURL)
	}
	for _, p := range s.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return invalidf("server.trusted_proxies: %q is neither an IP address nor a CIDR range.", p)
			}
		}
	}
	if err := positiveInts(map[string]int{"server.max_connections": s.MaxConnections,
		"server.max_connections_per_address": s.MaxConnectionsPerAddress}); err != nil {
		return err
	}
	return positiveDurations(map[string]Duration{"server.shutdown_timeout": s.ShutdownTimeout,
		"server.header_timeout": s.HeaderTimeout, "server.body_timeout": s.BodyTimeout, "server.idle_timeout": s.IdleTimeout})
}

func (d *DatabaseConfig) validate() error {
	switch d.Driver {
	case "sqlite":
		if strings.TrimSpace(d.Path) == "" {
			return invalidf("database.path must not be empty.")
		}
	case "postgres":
		if strings.TrimSpace(d.URL) == "" {
			return invalidf("database.url must name the PostgreSQL server when database.driver is postgres (postgres://user:password@host:5432/belfry).")
		}
		if _, err := pgconn.ParseConfig(d.URL); err != nil {
			return invalidf("database.url is not a PostgreSQL connection string: %s", pgURLProblem(err))
		}
	default:
		return invalidf("database.driver must be sqlite or postgres, not %q.", d.Driver)
	}
	if d.Durability != "full" && d.Durability != "normal" {
		return invalidf("database.durability must be full or normal, not %q.", d.Durability)
	}
	if err := positiveInts(map[string]int{"database.read_conns": d.ReadConns, "database.batch_max": d.BatchMax}); err != nil {
		return err
	}
	return positiveDurations(map[string]Duration{"database.busy_timeout": d.BusyTimeout})
}

func (a *AuthConfig) validate() error {
	if a.AdminPassword != "" {
		if err := ValidatePassword(a.AdminPassword); err != nil {
			return invalidf("auth.admin_password: %s", ErrorMessage(err))
		}
	}
	if a.CookieSecure != "auto" && a.CookieSecure != "true" && a.CookieSecure != "false" {
		return invalidf("auth.cookie_secure must be auto, true or false, not %q.", a.CookieSecure)
	}
	rates := map[string]float64{"auth.login_rate_per_minute": a.LoginRatePerMinute,
		"auth.username_failures_per_minute": a.UsernameFailuresPerMinute}
	for _, k := range sortedKeys(rates) {
		if !(rates[k] >= 0) || math.IsInf(rates[k], 0) {
			return invalidf("%s must be a number of attempts per minute, 0 or more (0 turns the limit off), not %v.", k, rates[k])
		}
	}
	if err := positiveInts(map[string]int{"auth.login_burst": a.LoginBurst, "auth.username_failure_burst": a.UsernameFailureBurst}); err != nil {
		return err
	}
	if a.HashConcurrency < 0 {
		return invalidf("auth.hash_concurrency must be 0 (twice the number of CPUs) or more, not %d.", a.HashConcurrency)
	}
	return positiveDurations(map[string]Duration{"auth.session_ttl": a.SessionTTL, "auth.hash_queue_timeout": a.HashQueueTimeout})
}

func (n *NotificationsConfig) validate() error {
	if _, err := NewTypes(n.Types); err != nil {
		return invalidf("notifications.types: %s", ErrorMessage(err))
	}
	return nil
}

func (s *StormConfig) validate() error {
	if err := positiveDurations(map[string]Duration{
		"storm.short_window": s.ShortWindow, "storm.long_window": s.LongWindow,
		"storm.backoff_initial": s.BackoffInitial, "storm.backoff_max": s.BackoffMax,
	}); err != nil {
		return err
	}
	if err := positiveInts(map[string]int{"storm.short_max": s.ShortMax, "storm.long_max": s.LongMax}); err != nil {
		return err
	}
	switch {
	case s.Sticky.Duration < 0:
		return invalidf("storm.sticky must not be negative.")
	case s.BackoffStep.Duration < 0:
		return invalidf("storm.backoff_step must not be negative.")
	case s.LongWindow.Duration < s.ShortWindow.Duration:
		return invalidf("storm.long_window (%s) must not be shorter than storm.short_window (%s).", s.LongWindow, s.ShortWindow)
	case s.LongMax < s.ShortMax:
		return invalidf("storm.long_max (%d) must not be smaller than storm.short_max (%d).", s.LongMax, s.ShortMax)
	case s.BackoffMax.Duration < s.BackoffInitial.Duration:
		return invalidf("storm.backoff_max (%s) must not be shorter than storm.backoff_initial (%s).", s.BackoffMax, s.BackoffInitial)
	}
	return nil
}

// minQueuedBytes is the least websocket.max_queued_bytes: room for a few
// large notification frames.
const minQueuedBytes = 64 << 10

func (w *WebSocketConfig) validate() error {
	if w.MaxMessageBytes < 512 {
		return invalidf("websocket.max_message_bytes must be at least 512, not %d.", w.MaxMessageBytes)
	}
	if w.MaxQueuedBytes < minQueuedBytes {
		return invalidf("websocket.max_queued_bytes must be at least %d (64 KiB), not %d.", minQueuedBytes, w.MaxQueuedBytes)
	}
	if err := positiveInts(map[string]int{"websocket.send_buffer": w.SendBuffer,
		"websocket.max_connections": w.MaxConnections, "websocket.max_per_address": w.MaxPerAddress}); err != nil {
		return err
	}
	return positiveDurations(map[string]Duration{"websocket.ping_period": w.PingPeriod, "websocket.write_timeout": w.WriteTimeout,
		"websocket.stream_keepalive": w.StreamKeepalive})
}

func (p *PollingConfig) validate() error {
	if !(p.RatePerSecond > 0) || math.IsInf(p.RatePerSecond, 0) {
		return invalidf("polling.rate_per_second must be a positive number, not %v.", p.RatePerSecond)
	}
	return positiveInts(map[string]int{"polling.burst": p.Burst})
}

func (e *EmailConfig) validate() error {
	if e.TLS != "starttls" && e.TLS != "tls" && e.TLS != "none" {
		return invalidf("email.tls must be starttls, tls or none, not %q.", e.TLS)
	}
	if e.Port < 1 || e.Port > 65535 {
		return invalidf("email.port must be between 1 and 65535, not %d.", e.Port)
	}
	if strings.ContainsAny(e.Host, " /:") && net.ParseIP(e.Host) == nil {
		return invalidf("email.host must be a host name or IP address without port, not %q.", e.Host)
	}
	if (e.Username == "") != (e.Password == "") {
		return invalidf("email.username and email.password go together: set both or neither.")
	}
	for key, v := range map[string]string{"email.from": e.From, "email.reply_to": e.ReplyTo} {
		if err := ValidateEmailAddress(v); err != nil {
			return invalidf("%s must be an e-mail address like belfry@example.org, not %q.", key, v)
		}
	}
	if e.Host != "" && e.From == "" {
		return invalidf("email.from is required when email.host is set.")
	}
	if err := positiveInts(map[string]int{"email.max_attempts": e.MaxAttempts}); err != nil {
		return err
	}
	if e.BatchThreshold < 0 {
		return invalidf("email.batch_threshold must not be negative (0 turns batching off), not %d.", e.BatchThreshold)
	}
	for key, d := range map[string]Duration{"email.batch_interval": e.BatchInterval, "email.retention": e.Retention} {
		if d.Duration < 0 {
			return invalidf("%s must not be negative (0s turns it off).", key)
		}
	}
	return positiveDurations(map[string]Duration{"email.timeout": e.Timeout,
		"email.unsubscribe_ttl": e.UnsubscribeTTL})
}

// maxPushTTL is the longest TTL push services keep a message (four weeks).
const maxPushTTL = 28 * 24 * time.Hour

func (p *PushConfig) validate() error {
	if p.Subject != "" {
		u, err := url.Parse(p.Subject)
		if err != nil || !(u.Scheme == "mailto" && u.Opaque != "" || u.Scheme == "https" && u.Host != "") {
			return invalidf("push.subject must be mailto:you@example.org or an https:// URL, not %q.", p.Subject)
		}
	}
	if p.TTL.Duration > maxPushTTL {
		return invalidf("push.ttl must be at most 672h (four weeks), not %s.", p.TTL.Duration)
	}
	if err := positiveInts(map[string]int{"push.max_attempts": p.MaxAttempts, "push.hosts": p.Hosts}); err != nil {
		return err
	}
	return positiveDurations(map[string]Duration{"push.ttl": p.TTL, "push.timeout": p.Timeout})
}

func (w *WebhooksConfig) validate() error {
	if err := positiveInts(map[string]int{"webhooks.workers": w.Workers, "webhooks.max_attempts": w.MaxAttempts}); err != nil {
		return err
	}
	return positiveDurations(map[string]Duration{"webhooks.timeout": w.Timeout, "webhooks.retention": w.Retention})
}

// validate checks the report's shape only: the report capability parses
// the cron expression itself.
func (r *ReportConfig) validate() error {
	if n := len(strings.Fields(r.Schedule)); n != 5 {
		return invalidf("report.schedule must be a 5-field cron expression (minute hour day month weekday) such as \"0 8 * * 1\", not %q.", r.Schedule)
	}
	if _, err := LoadZone(r.Timezone); err != nil {
		return invalidf("report.timezone must be an IANA time zone such as \"Europe/Paris\" or \"Local\", not %q.", r.Timezone)
	}
	return nil
}

func (s *ScheduleConfig) validate() error {
	if s.MaxDelay.Duration < time.Minute || s.MaxDelay.Duration > 366*24*time.Hour {
		return invalidf("schedule.max_delay must be between 1m and 8784h (366 days), not %s.", s.MaxDelay)
	}
	return nil
}

func (l *LogConfig) validate() error {
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		return invalidf("log.level must be debug, info, warn or error, not %q.", l.Level)
	}
	if l.Format != "text" && l.Format != "json" {
		return invalidf("log.format must be text or json, not %q.", l.Format)
	}
	return nil
}

// positiveInts and positiveDurations check keys in name order, so the error
// for several bad keys is always the same one.
func positiveInts(m map[string]int) error {
	for _, k := range sortedKeys(m) {
		if m[k] < 1 {
			return invalidf("%s must be at least 1, not %d.", k, m[k])
		}
	}
	return nil
}

func positiveDurations(m map[string]Duration) error {
	for _, k := range sortedKeys(m) {
		if m[k].Duration <= 0 {
			return invalidf("%s must be a positive duration such as \"10s\", not %s.", k, m[k])
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

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

// subjectToken is one NATS subject token of letters, digits, '-' and '_'.
var subjectToken = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (c *ClusterConfig) validate() error {
	for _, u := range strings.Split(c.NATSURL, ",") {
		u = strings.TrimSpace(u)
		if c.NATSURL == "" {
			break
		}
		p, err := url.Parse(u)
		if err != nil || p.Host == "" || !slices.Contains([]string{"nats", "tls", "ws", "wss"}, p.Scheme) {
			return invalidf("cluster.nats_url must be nats://host:port (or tls://, ws://, wss://), comma-separated for several servers, not %q.", u)
		}
	}
	for _, tok := range strings.Split(c.Subject, ".") {
		if !subjectToken.MatchString(tok) {
			return invalidf("cluster.subject must be dot-separated tokens of letters, digits, '-' and '_', not %q.", c.Subject)
		}
	}
	if c.ReconnectBuffer < 0 {
		return invalidf("cluster.reconnect_buffer must not be negative, not %d.", c.ReconnectBuffer)
	}
	return nil
}

// pgURLProblem is why a database.url does not parse, without the URL
// itself: it may carry a password.
func pgURLProblem(err error) string {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap().Error()
	}
	return "it cannot be parsed"
}
