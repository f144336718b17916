package app

import (
	"fmt"
	"strings"
	"time"
)

// Duration is a time.Duration written in config as a Go duration string
// ("10s", "1h30m").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q (examples: 10s, 5m, 1h)", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string, as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String writes the duration the way config files do: without the zero
// units that time.Duration.String adds ("720h", "2m", "1h30m", not
// "720h0m0s").
func (d Duration) String() string {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Config is Belfry's whole configuration. DefaultConfig gives the built-in
// defaults; config.example.toml documents every key.
type Config struct {
	Server        ServerConfig        `toml:"server"`
	Database      DatabaseConfig      `toml:"database"`
	Auth          AuthConfig          `toml:"auth"`
	Notifications NotificationsConfig `toml:"notifications"`
	Storm         StormConfig         `toml:"storm"`
	WebSocket     WebSocketConfig     `toml:"websocket"`
	Polling       PollingConfig       `toml:"polling"`
	Webhooks      WebhooksConfig      `toml:"webhooks"`
	Email         EmailConfig         `toml:"email"`
	Push          PushConfig          `toml:"push"`
	Log           LogConfig           `toml:"log"`
	Report        ReportConfig        `toml:"report"`
	Metrics       MetricsConfig       `toml:"metrics"`
	Retention     RetentionConfig     `toml:"retention"`
	Schedule      ScheduleConfig      `toml:"schedule"`
	Provision     ProvisionConfig     `toml:"provision"`
	Cluster       ClusterConfig       `toml:"cluster"`
}

// ServerConfig is the HTTP listener.
type ServerConfig struct {
	Listen          string   `toml:"listen"`
	BaseURL         string   `toml:"base_url"`
	TrustedProxies  []string `toml:"trusted_proxies"`
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	// HeaderTimeout bounds the arrival of a request's headers, BodyTimeout
	// that of its body, IdleTimeout a kept-alive connection between
	// requests.
	HeaderTimeout Duration `toml:"header_timeout"`
	BodyTimeout   Duration `toml:"body_timeout"`
	IdleTimeout   Duration `toml:"idle_timeout"`
	// MaxConnections bounds the open connections (WebSockets included);
	// MaxConnectionsPerAddress those of one client address, except the
	// trusted proxies'. Connections beyond are closed at once.
	MaxConnections           int `toml:"max_connections"`
	MaxConnectionsPerAddress int `toml:"max_connections_per_address"`
}

// DatabaseConfig is the database: by default the SQLite file and its
// durability; with Driver "postgres", the PostgreSQL server at URL
// (docs/cluster.md).
type DatabaseConfig struct {
	// Driver is "sqlite" (the default: the file at Path) or "postgres".
	Driver string `toml:"driver"`
	// URL is the PostgreSQL connection string (postgres://user:pass@host/db
	// or key=value pairs) when Driver is "postgres". It may hold a password,
	// so BELFRY_DATABASE_URL_FILE may name a file that holds it.
	URL         string   `toml:"url" secret:"true"`
	Path        string   `toml:"path"`
	Durability  string   `toml:"durability"`
	ReadConns   int      `toml:"read_conns"`
	BatchMax    int      `toml:"batch_max"`
	BusyTimeout Duration `toml:"busy_timeout"`
}

// ClusterConfig is the change bus between replicas (docs/cluster.md).
// An empty NATSURL keeps the in-process bus.
type ClusterConfig struct {
	// NATSURL is the NATS server (or comma-separated servers) every replica
	// publishes its changes to.
	NATSURL string `toml:"nats_url"`
	// Subject prefixes every subject Belfry uses, so that clusters can
	// share one NATS.
	Subject string `toml:"subject"`
	// ReconnectBuffer bounds, in bytes, the changes kept while the
	// connection to NATS is being re-established.
	ReconnectBuffer int `toml:"reconnect_buffer"`
}

// AuthConfig is users, sessions and tokens.
type AuthConfig struct {
	// AdminPassword is a secret: the `secret` tag lets
	// BELFRY_AUTH_ADMIN_PASSWORD_FILE name a file that holds it. Every key
	// that holds a secret carries that tag.
	AdminPassword string   `toml:"admin_password" secret:"true"`
	SessionTTL    Duration `toml:"session_ttl"`
	// CookieSecure is "auto" (Secure when base_url is https), "true" or "false".
	CookieSecure string `toml:"cookie_secure"`
	// DesktopUser, when set, signs every request from this machine in as
	// that user without a password (single-user desktop mode). Only
	// allowed when server.listen is a loopback address.
	DesktopUser string `toml:"desktop_user"`
	// Login limits: every attempt spends one of LoginBurst per client
	// address, refilled at LoginRatePerMinute; every failed one spends one
	// of UsernameFailureBurst per username, refilled at
	// UsernameFailuresPerMinute. A rate of 0 turns its limit off.
	LoginRatePerMinute        float64 `toml:"login_rate_per_minute"`
	LoginBurst                int     `toml:"login_burst"`
	UsernameFailuresPerMinute float64 `toml:"username_failures_per_minute"`
	UsernameFailureBurst      int     `toml:"username_failure_burst"`
	// HashConcurrency bounds the argon2id password hashes computed at once
	// (0: twice the number of CPUs); a login waits up to HashQueueTimeout
	// for its turn, then is refused with 503.
	HashConcurrency  int      `toml:"hash_concurrency"`
	HashQueueTimeout Duration `toml:"hash_queue_timeout"`
}

// NotificationsConfig declares extra notification types.
type NotificationsConfig struct {
	Types []NotificationType `toml:"types"`
}

// StormConfig is storm prevention (openwisp-notifications defaults).
type StormConfig struct {
	Enabled        bool     `toml:"enabled"`
	ShortWindow    Duration `toml:"short_window"`
	ShortMax       int      `toml:"short_max"`
	LongWindow     Duration `toml:"long_window"`
	LongMax        int      `toml:"long_max"`
	Sticky         Duration `toml:"sticky"`
	BackoffInitial Duration `toml:"backoff_initial"`
	BackoffStep    Duration `toml:"backoff_step"`
	BackoffMax     Duration `toml:"backoff_max"`
}

// WebSocketConfig tunes the hub.
type WebSocketConfig struct {
	MaxMessageBytes int `toml:"max_message_bytes"`
	// MaxQueuedBytes bounds what waits for one connection; WriteTimeout is
	// how long a write may make no progress. Past either, a connection is
	// slow (a notification socket's queue coalesces first).
	MaxQueuedBytes int      `toml:"max_queued_bytes"`
	WriteTimeout   Duration `toml:"write_timeout"`
	// SendBuffer is how many queued frames one write carries at most.
	SendBuffer int      `toml:"send_buffer"`
	PingPeriod Duration `toml:"ping_period"`
	// StreamKeepalive is how often the ntfy subscriptions (/<topic>/json,
	// /sse, /raw and /ws) get ntfy's keepalive event.
	StreamKeepalive Duration `toml:"stream_keepalive"`
	// MaxConnections bounds the live connections of the server, both
	// endpoints together; MaxPerAddress those from one client address.
	MaxConnections int `toml:"max_connections"`
	MaxPerAddress  int `toml:"max_per_address"`
}

// PollingConfig is the REST polling API's rate limit per token.
type PollingConfig struct {
	RatePerSecond float64 `toml:"rate_per_second"`
	Burst         int     `toml:"burst"`
}

// WebhooksConfig is outgoing webhook delivery.
type WebhooksConfig struct {
	AllowPrivate bool `toml:"allow_private"`
	// PrivateAdminsOnly, with AllowPrivate, lets only admins' webhooks
	// target private networks.
	PrivateAdminsOnly bool     `toml:"private_admins_only"`
	Timeout           Duration `toml:"timeout"`
	Workers           int      `toml:"workers"`
	// MaxAttempts bounds the attempts of one delivery (about a day of
	// backoff at the default); Retention is how long finished deliveries
	// stay in the log.
	MaxAttempts int      `toml:"max_attempts"`
	Retention   Duration `toml:"retention"`
}

// EmailConfig is the SMTP server that e-mail notifications go through. E-mail
// is off while Host is empty.
type EmailConfig struct {
	Host string `toml:"host"`
	Port int    `toml:"port"`
	// TLS is "starttls" (upgrade a plain connection, refuse a server that
	// cannot), "tls" (TLS from the first byte, usually port 465) or "none".
	TLS      string `toml:"tls"`
	Username string `toml:"username"`
	// Password is a secret: BELFRY_EMAIL_PASSWORD_FILE names a file that
	// holds it.
	Password string `toml:"password" secret:"true"`
	From     string `toml:"from"`
	ReplyTo  string `toml:"reply_to"`
	// CAFile is a PEM file of certificate authorities trusted besides the
	// system's, for a relay with a private certificate.
	CAFile  string   `toml:"ca_file"`
	Timeout Duration `toml:"timeout"`
	// MaxAttempts bounds the attempts of one e-mail on temporary failures
	// (4xx answers, connection errors).
	MaxAttempts int `toml:"max_attempts"`
	// UnsubscribeTTL is how long a one-click unsubscribe link works.
	UnsubscribeTTL Duration `toml:"unsubscribe_ttl"`
	// BatchThreshold is how many e-mails a user gets on their own within
	// BatchInterval (which starts with the first of them); the rest are
	// held and sent as one summary at its end. Zero in either turns
	// batching off. The weekly report is never batched.
	BatchThreshold int      `toml:"batch_threshold"`
	BatchInterval  Duration `toml:"batch_interval"`
	// Retention is how long sent, failed and skipped e-mails stay in the
	// log (pruned by the retention job); zero keeps them.
	Retention Duration `toml:"retention"`
}

// Batch is the batching rule of the settings.
func (e EmailConfig) Batch() EmailBatch {
	return EmailBatch{Threshold: e.BatchThreshold, Interval: e.BatchInterval.Duration}
}

// Enabled reports whether an SMTP server is configured.
func (e EmailConfig) Enabled() bool { return e.Host != "" }

// PushConfig is Web Push: the VAPID key pair lives in the database (made at
// first start), so nothing here is needed to turn it on.
type PushConfig struct {
	Enabled bool `toml:"enabled"`
	// Subject is the VAPID contact push services may use: "mailto:…" or
	// "https://…". Empty: server.base_url when it is https, otherwise
	// mailto:belfry@localhost.
	Subject string `toml:"subject"`
	// TTL is how long a push service keeps a push for a device that is
	// offline; a push not sent within it is given up.
	TTL Duration `toml:"ttl"`
	// Timeout bounds one request to a push service.
	Timeout Duration `toml:"timeout"`
	// MaxAttempts bounds the attempts of one push on temporary failures
	// (429, 5xx, no answer).
	MaxAttempts int `toml:"max_attempts"`
	// Hosts is how many push services are sent to at once: each endpoint
	// host has one lane, so a slow one holds up only its own pushes.
	Hosts int `toml:"hosts"`
	// CAFile is a PEM file of certificate authorities trusted besides the
	// system's, for a self-hosted push service with a private certificate.
	CAFile string `toml:"ca_file"`
}

// ReportConfig is the weekly report: a standard 5-field cron schedule read
// in Timezone (an IANA name or "Local").
type ReportConfig struct {
	Enabled  bool   `toml:"enabled"`
	Schedule string `toml:"schedule"`
	Timezone string `toml:"timezone"`
}

// LogConfig is structured logging.
type LogConfig struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

// MetricsConfig is the Prometheus endpoint /metrics. With Listen empty it
// is served on the main listener to loopback clients and administrators;
// otherwise on Listen alone, to anyone who can reach that address.
type MetricsConfig struct {
	Enabled bool   `toml:"enabled"`
	Listen  string `toml:"listen"`
}

// RetentionConfig is what the hourly pruning keeps. A zero duration or
// count keeps everything of its kind. Finished webhook deliveries follow
// WebhooksConfig.Retention.
type RetentionConfig struct {
	Enabled  bool     `toml:"enabled"`
	Interval Duration `toml:"interval"`
	// ReadNotifications: read notifications created longer ago are deleted.
	ReadNotifications Duration `toml:"read_notifications"`
	// MaxPerUser: a user's notifications beyond this many, oldest first.
	MaxPerUser int `toml:"max_per_user"`
	// ChannelMessages: channel messages posted longer ago are deleted.
	ChannelMessages Duration `toml:"channel_messages"`
}

// ScheduleConfig is scheduled delivery (app/schedule): how far ahead a
// publish may ask to be delivered.
type ScheduleConfig struct {
	MaxDelay Duration `toml:"max_delay"`
}

// ProvisionConfig declares users and API tokens in the configuration
// (Ansible, NixOS, compose): app/provision creates or updates them at every
// start. With OwnsUsers (OwnsTokens) the configuration owns them all: users
// (tokens) it does not declare are deleted (revoked) at start.
type ProvisionConfig struct {
	OwnsUsers  bool               `toml:"owns_users"`
	OwnsTokens bool               `toml:"owns_tokens"`
	Users      []ProvisionedUser  `toml:"users"`
	Tokens     []ProvisionedToken `toml:"tokens"`
}

// ProvisionedUser is a user the configuration declares. Its password is an
// argon2id hash (belfry user hash) or a file holding the password; with
// neither, a new user gets an unusable random password (tokens only) and an
// existing one keeps theirs.
type ProvisionedUser struct {
	Name         string `toml:"name"`
	Admin        bool   `toml:"admin"`
	PasswordHash string `toml:"password_hash"`
	PasswordFile string `toml:"password_file"`
}

// ProvisionedToken is an API token the configuration declares by the hex
// SHA-256 of its secret (belfry token generate), so the configuration holds
// nothing that authenticates.
type ProvisionedToken struct {
	User  string `toml:"user"`
	Name  string `toml:"name"`
	Scope Scope  `toml:"scope"`
	Hash  string `toml:"hash"`
}

// DefaultConfig returns the built-in defaults: loopback listener, a database
// in ./data, full durability.
func DefaultConfig() Config {
	return Config{
		Server: ServerConfig{
			Listen:          "127.0.0.1:8080",
			BaseURL:         "http://127.0.0.1:8080",
			ShutdownTimeout: Duration{10 * time.Second},
			HeaderTimeout:   Duration{10 * time.Second},
			BodyTimeout:     Duration{30 * time.Second},
			IdleTimeout:     Duration{2 * time.Minute},
			MaxConnections:  10000, MaxConnectionsPerAddress: 256,
		},
		Database: DatabaseConfig{
			Driver:      "sqlite",
			Path:        "data/belfry.db",
			Durability:  "full",
			ReadConns:   4,
			BatchMax:    512,
			BusyTimeout: Duration{5 * time.Second},
		},
		Cluster: ClusterConfig{Subject: "belfry", ReconnectBuffer: 8 << 20},
		Auth: AuthConfig{
			SessionTTL:         Duration{30 * 24 * time.Hour},
			CookieSecure:       "auto",
			LoginRatePerMinute: 10, LoginBurst: 10,
			UsernameFailuresPerMinute: 5, UsernameFailureBurst: 5,
			HashQueueTimeout: Duration{5 * time.Second},
		},
		Storm: StormConfig{
			Enabled:        true,
			ShortWindow:    Duration{10 * time.Second},
			ShortMax:       6,
			LongWindow:     Duration{180 * time.Second},
			LongMax:        30,
			Sticky:         Duration{60 * time.Second},
			BackoffInitial: Duration{1 * time.Second},
			BackoffStep:    Duration{1 * time.Second},
			BackoffMax:     Duration{15 * time.Second},
		},
		WebSocket: WebSocketConfig{
			MaxMessageBytes: 4096,
			MaxQueuedBytes:  1 << 20,
			WriteTimeout:    Duration{10 * time.Second},
			SendBuffer:      16,
			PingPeriod:      Duration{30 * time.Second},
			StreamKeepalive: Duration{45 * time.Second},
			MaxConnections:  10000,
			MaxPerAddress:   100,
		},
		Polling: PollingConfig{RatePerSecond: 10, Burst: 60},
		Webhooks: WebhooksConfig{AllowPrivate: true, Timeout: Duration{10 * time.Second}, Workers: 4,
			MaxAttempts: 12, Retention: Duration{30 * 24 * time.Hour}},
		Email: EmailConfig{Port: 587, TLS: "starttls", Timeout: Duration{30 * time.Second}, MaxAttempts: 10,
			UnsubscribeTTL: Duration{90 * 24 * time.Hour}, BatchThreshold: 3, BatchInterval: Duration{30 * time.Minute},
			Retention: Duration{30 * 24 * time.Hour}},
		Push: PushConfig{Enabled: true, TTL: Duration{24 * time.Hour}, Timeout: Duration{10 * time.Second},
			MaxAttempts: 10, Hosts: 8},
		Log:     LogConfig{Level: "info", Format: "text"},
		Report:  ReportConfig{Enabled: true, Schedule: "0 8 * * 1", Timezone: "Local"},
		Metrics: MetricsConfig{Enabled: true},
		Retention: RetentionConfig{Enabled: true, Interval: Duration{time.Hour},
			ReadNotifications: Duration{30 * 24 * time.Hour}, MaxPerUser: 2000,
			ChannelMessages: Duration{180 * 24 * time.Hour}},
		Schedule: ScheduleConfig{MaxDelay: Duration{DefaultMaxDelay}},
	}
}
