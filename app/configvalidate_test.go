package app

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost.": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"": false, "0.0.0.0": false, "::": false, "192.168.1.2": false, "localhost.evil.example": false,
		"belfry.localhost": false, "10.0.0.1": false, "example.org": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestConfigValidateOperations(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"cluster url scheme", func(c *Config) { c.Cluster.NATSURL = "http://nats:4222" }, `cluster.nats_url must be nats://host:port`},
		{"cluster url host", func(c *Config) { c.Cluster.NATSURL = "nats://a:4222, nats://" }, `not "nats://"`},
		{"cluster subject", func(c *Config) { c.Cluster.Subject = "belfry.*" }, `cluster.subject must be dot-separated tokens`},
		{"cluster subject empty", func(c *Config) { c.Cluster.Subject = "" }, `cluster.subject must be dot-separated tokens`},
		{"cluster buffer", func(c *Config) { c.Cluster.ReconnectBuffer = -1 }, "cluster.reconnect_buffer must not be negative"},
		{"metrics listen", func(c *Config) { c.Metrics.Listen = "9090" }, `metrics.listen must be empty (serve /metrics on server.listen) or host:port`},
		{"metrics port", func(c *Config) { c.Metrics.Listen = ":prom" }, `metrics.listen has an invalid port "prom"`},
		{"retention interval", func(c *Config) { c.Retention.Interval = Duration{} }, "retention.interval must be a positive duration"},
		{"schedule max delay too small", func(c *Config) { c.Schedule.MaxDelay = Duration{time.Second} }, "schedule.max_delay must be between 1m and 8784h"},
		{"schedule max delay too large", func(c *Config) { c.Schedule.MaxDelay = Duration{400 * 24 * time.Hour} }, "schedule.max_delay must be between 1m and 8784h"},
		{"retention read", func(c *Config) { c.Retention.ReadNotifications = Duration{-time.Hour} }, "retention.read_notifications must not be negative"},
		{"retention channel", func(c *Config) { c.Retention.ChannelMessages = Duration{-time.Hour} }, "retention.channel_messages must not be negative"},
		{"retention max", func(c *Config) { c.Retention.MaxPerUser = -1 }, "retention.max_per_user must not be negative"},
		{"desktop user name", func(c *Config) { c.Auth.DesktopUser = "no spaces" }, `auth.desktop_user: Username "no spaces"`},
		{"desktop on all interfaces", func(c *Config) { c.Auth.DesktopUser, c.Server.Listen = "admin", ":8080" },
			`server.listen must be a loopback address such as 127.0.0.1:8080, not ":8080"`},
		{"desktop on a LAN address", func(c *Config) { c.Auth.DesktopUser, c.Server.Listen = "admin", "192.168.1.5:8080" },
			"must be a loopback address"},
		{"desktop behind a proxy", func(c *Config) {
			c.Auth.DesktopUser, c.Server.TrustedProxies = "admin", []string{"127.0.0.1"}
		}, "auth.desktop_user cannot be combined with server.trusted_proxies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.change(&cfg)
			wantConfigError(t, cfg.Validate(), tc.want)
		})
	}
}

func TestConfigValidateOperationsAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
	}{
		{"separate metrics listener", func(c *Config) { c.Metrics.Listen = "0.0.0.0:9090" }},
		{"metrics off", func(c *Config) { c.Metrics.Enabled = false }},
		{"keep everything", func(c *Config) {
			c.Retention.ReadNotifications, c.Retention.ChannelMessages, c.Retention.MaxPerUser = Duration{}, Duration{}, 0
		}},
		{"login limits off", func(c *Config) { c.Auth.LoginRatePerMinute, c.Auth.UsernameFailuresPerMinute = 0, 0 }},
		{"one hash at a time", func(c *Config) { c.Auth.HashConcurrency = 1 }},
		{"desktop on 127.0.0.1", func(c *Config) { c.Auth.DesktopUser = "admin" }},
		{"desktop on localhost", func(c *Config) { c.Auth.DesktopUser, c.Server.Listen = "me", "localhost:8080" }},
		{"desktop on ::1", func(c *Config) { c.Auth.DesktopUser, c.Server.Listen = "me", "[::1]:0" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.change(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"listen without port", func(c *Config) { c.Server.Listen = "localhost" }, "server.listen must be host:port"},
		{"listen with space", func(c *Config) { c.Server.Listen = "local host:80" }, "server.listen must be host:port"},
		{"listen port text", func(c *Config) { c.Server.Listen = "127.0.0.1:http" }, `server.listen has an invalid port "http"`},
		{"listen port range", func(c *Config) { c.Server.Listen = "127.0.0.1:70000" }, `invalid port "70000"`},
		{"base_url relative", func(c *Config) { c.Server.BaseURL = "/belfry" }, "server.base_url must be an absolute"},
		{"base_url scheme", func(c *Config) { c.Server.BaseURL = "ftp://x" }, "server.base_url must be an absolute"},
		{"base_url query", func(c *Config) { c.Server.BaseURL = "http://x/?a=1" }, "server.base_url must be an absolute"},
		{"base_url unparsable", func(c *Config) { c.Server.BaseURL = "http://[::1" }, "server.base_url must be an absolute"},
		{"trusted proxy", func(c *Config) { c.Server.TrustedProxies = []string{"proxy.lan"} }, `"proxy.lan" is neither an IP address nor a CIDR range`},
		{"shutdown timeout", func(c *Config) { c.Server.ShutdownTimeout = Duration{} }, "server.shutdown_timeout must be a positive duration"},
		{"database path", func(c *Config) { c.Database.Path = " " }, "database.path must not be empty"},
		{"durability", func(c *Config) { c.Database.Durability = "off" }, `database.durability must be full or normal, not "off"`},
		{"read conns", func(c *Config) { c.Database.ReadConns = 0 }, "database.read_conns must be at least 1, not 0"},
		{"batch max", func(c *Config) { c.Database.BatchMax = -1 }, "database.batch_max must be at least 1"},
		{"busy timeout", func(c *Config) { c.Database.BusyTimeout = Duration{-time.Second} }, "database.busy_timeout must be a positive duration"},
		{"admin password", func(c *Config) { c.Auth.AdminPassword = "short" }, "auth.admin_password: Password must be at least 8 characters long."},
		{"cookie secure", func(c *Config) { c.Auth.CookieSecure = "yes" }, `auth.cookie_secure must be auto, true or false, not "yes"`},
		{"session ttl", func(c *Config) { c.Auth.SessionTTL = Duration{} }, "auth.session_ttl must be a positive duration"},
		{"login rate", func(c *Config) { c.Auth.LoginRatePerMinute = -1 }, "auth.login_rate_per_minute must be a number of attempts per minute, 0 or more"},
		{"login rate NaN", func(c *Config) { c.Auth.LoginRatePerMinute = math.NaN() }, "auth.login_rate_per_minute must be"},
		{"username rate", func(c *Config) { c.Auth.UsernameFailuresPerMinute = math.Inf(1) }, "auth.username_failures_per_minute must be"},
		{"login burst", func(c *Config) { c.Auth.LoginBurst = 0 }, "auth.login_burst must be at least 1, not 0"},
		{"username burst", func(c *Config) { c.Auth.UsernameFailureBurst = -2 }, "auth.username_failure_burst must be at least 1, not -2"},
		{"hash concurrency", func(c *Config) { c.Auth.HashConcurrency = -1 }, "auth.hash_concurrency must be 0 (twice the number of CPUs) or more, not -1"},
		{"hash queue timeout", func(c *Config) { c.Auth.HashQueueTimeout = Duration{} }, "auth.hash_queue_timeout must be a positive duration"},
		{"type name", func(c *Config) { c.Notifications.Types = []NotificationType{{Name: "Bad Name"}} }, `notifications.types: Notification type "Bad Name"`},
		{"type duplicate", func(c *Config) { c.Notifications.Types = []NotificationType{{Name: "job_failed"}} }, "is declared twice"},
		{"storm short window", func(c *Config) { c.Storm.ShortWindow = Duration{} }, "storm.short_window must be a positive duration"},
		{"storm long window", func(c *Config) { c.Storm.LongWindow = Duration{-1} }, "storm.long_window must be a positive duration"},
		{"storm backoff initial", func(c *Config) { c.Storm.BackoffInitial = Duration{} }, "storm.backoff_initial must be a positive duration"},
		{"storm backoff max", func(c *Config) { c.Storm.BackoffMax = Duration{} }, "storm.backoff_max must be a positive duration"},
		{"storm short max", func(c *Config) { c.Storm.ShortMax = 0 }, "storm.short_max must be at least 1"},
		{"storm long max", func(c *Config) { c.Storm.LongMax = 0 }, "storm.long_max must be at least 1"},
		{"storm sticky", func(c *Config) { c.Storm.Sticky = Duration{-time.Second} }, "storm.sticky must not be negative"},
		{"storm step", func(c *Config) { c.Storm.BackoffStep = Duration{-time.Second} }, "storm.backoff_step must not be negative"},
		{"storm windows", func(c *Config) { c.Storm.LongWindow = Duration{5 * time.Second} }, "storm.long_window (5s) must not be shorter than storm.short_window (10s)"},
		{"storm maxima", func(c *Config) { c.Storm.LongMax = 5 }, "storm.long_max (5) must not be smaller than storm.short_max (6)"},
		{"storm backoff", func(c *Config) { c.Storm.BackoffMax = Duration{500 * time.Millisecond} }, "storm.backoff_max (500ms) must not be shorter than storm.backoff_initial (1s)"},
		{"ws message size", func(c *Config) { c.WebSocket.MaxMessageBytes = 100 }, "websocket.max_message_bytes must be at least 512, not 100"},
		{"ws buffer", func(c *Config) { c.WebSocket.SendBuffer = 0 }, "websocket.send_buffer must be at least 1"},
		{"ws ping", func(c *Config) { c.WebSocket.PingPeriod = Duration{} }, "websocket.ping_period must be a positive duration"},
		{"stream keepalive", func(c *Config) { c.WebSocket.StreamKeepalive = Duration{} }, "websocket.stream_keepalive must be a positive duration"},
		{"ws queued bytes", func(c *Config) { c.WebSocket.MaxQueuedBytes = 4096 }, "websocket.max_queued_bytes must be at least 65536 (64 KiB), not 4096"},
		{"ws write timeout", func(c *Config) { c.WebSocket.WriteTimeout = Duration{} }, "websocket.write_timeout must be a positive duration"},
		{"ws connections", func(c *Config) { c.WebSocket.MaxConnections = 0 }, "websocket.max_connections must be at least 1, not 0"},
		{"ws per address", func(c *Config) { c.WebSocket.MaxPerAddress = -3 }, "websocket.max_per_address must be at least 1, not -3"},
		{"polling rate", func(c *Config) { c.Polling.RatePerSecond = 0 }, "polling.rate_per_second must be a positive number, not 0"},
		{"polling burst", func(c *Config) { c.Polling.Burst = 0 }, "polling.burst must be at least 1"},
		{"webhook workers", func(c *Config) { c.Webhooks.Workers = 0 }, "webhooks.workers must be at least 1"},
		{"webhook timeout", func(c *Config) { c.Webhooks.Timeout = Duration{} }, "webhooks.timeout must be a positive duration"},
		{"webhook attempts", func(c *Config) { c.Webhooks.MaxAttempts = 0 }, "webhooks.max_attempts must be at least 1"},
		{"webhook retention", func(c *Config) { c.Webhooks.Retention = Duration{} }, "webhooks.retention must be a positive duration"},
		{"email batch threshold", func(c *Config) { c.Email.BatchThreshold = -1 }, "email.batch_threshold must not be negative (0 turns batching off), not -1"},
		{"email batch interval", func(c *Config) { c.Email.BatchInterval = Duration{-time.Minute} }, "email.batch_interval must not be negative"},
		{"email retention", func(c *Config) { c.Email.Retention = Duration{-time.Hour} }, "email.retention must not be negative"},
		{"report schedule", func(c *Config) { c.Report.Schedule = "every monday" }, `report.schedule must be a 5-field cron expression`},
		{"report timezone", func(c *Config) { c.Report.Timezone = "Mars/Olympus" }, `report.timezone must be an IANA time zone such as "Europe/Paris" or "Local", not "Mars/Olympus"`},
		{"report timezone empty", func(c *Config) { c.Report.Timezone = "" }, `report.timezone must be an IANA time zone`},
		{"log level", func(c *Config) { c.Log.Level = "verbose" }, `log.level must be debug, info, warn or error, not "verbose"`},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, `log.format must be text or json, not "xml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.change(&cfg)
			wantConfigError(t, cfg.Validate(), tc.want)
		})
	}
}

func TestConfigValidateAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
	}{
		{"any port", func(c *Config) { c.Server.Listen = "127.0.0.1:0" }},
		{"all interfaces", func(c *Config) { c.Server.Listen = ":8080" }},
		{"ipv6", func(c *Config) { c.Server.Listen = "[::1]:8080" }},
		{"https with path", func(c *Config) { c.Server.BaseURL = "https://example.org/belfry/" }},
		{"proxies", func(c *Config) { c.Server.TrustedProxies = []string{"10.0.0.1", "fd00::/8"} }},
		{"storm off", func(c *Config) { c.Storm.Enabled = false }},
		{"no sticky, no step", func(c *Config) { c.Storm.Sticky, c.Storm.BackoffStep = Duration{}, Duration{} }},
		{"admin password", func(c *Config) { c.Auth.AdminPassword = "long enough" }},
		{"UTC report", func(c *Config) { c.Report.Timezone = "UTC" }},
		{"extra type", func(c *Config) { c.Notifications.Types = []NotificationType{{Name: "backup_done"}} }},
		{"email batching off", func(c *Config) { c.Email.BatchThreshold, c.Email.BatchInterval = 0, Duration{} }},
		{"email log kept", func(c *Config) { c.Email.Retention = Duration{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.change(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConfigReadmeDocumentsEveryKey keeps the configuration table of README.md
// complete: every key and its environment variable appear in it.

// wantConfigError checks that err is EINVALID, one line, containing want.
func wantConfigError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if ErrorKind(err) != EINVALID {
		t.Fatalf("error kind %q (%v), want %q", ErrorKind(err), err, EINVALID)
	}
	msg := ErrorMessage(err)
	if !strings.Contains(msg, want) {
		t.Fatalf("error %q does not contain %q", msg, want)
	}
	if strings.Contains(msg, "\n") {
		t.Fatalf("error %q has more than one line", msg)
	}
}

func TestDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		720 * time.Hour: "720h", 2 * time.Minute: "2m", 90 * time.Minute: "1h30m", 10 * time.Second: "10s",
		500 * time.Millisecond: "500ms", 0: "0s", time.Hour + time.Second: "1h0m1s", 61 * time.Second: "1m1s",
	} {
		if got := (Duration{d}).String(); got != want {
			t.Errorf("%v: %q, want %q", time.Duration(d), got, want)
		}
		var back Duration
		if err := back.UnmarshalText([]byte(want)); err != nil || back.Duration != d {
			t.Errorf("%q reads back as %v, %v", want, back.Duration, err)
		}
	}
}

func TestClusterConfigAccepts(t *testing.T) {
	for _, url := range []string{"", "nats://127.0.0.1:4222", "nats://a:4222, tls://b:4222", "wss://nats.example/ws"} {
		cfg := DefaultConfig()
		cfg.Cluster.NATSURL, cfg.Cluster.Subject = url, "prod.belfry-1"
		if err := cfg.Validate(); err != nil {
			t.Errorf("%q: %v", url, err)
		}
	}
}
