package app

import (
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
		{"metrics listen", func(c *Config) { c.Metrics.Listen = "9090" }, `metrics.listen must be empty (serve /metrics on server.listen) or host:port`},
		{"metrics port", func(c *Config) { c.Metrics.Listen = ":prom" }, `metrics.listen has an invalid port "prom"`},
		{"retention interval", func(c *Config) { c.Retention.Interval = Duration{} }, "retention.interval must be a positive duration"},
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
