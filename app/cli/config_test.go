package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/pelletier/go-toml/v2"
)

const examplePath = "../config.example.toml"

// writeConfig writes content to a config.toml in a temp dir and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantConfigError checks that err is a one-line app.EINVALID error containing want.
func wantConfigError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if app.ErrorKind(err) != app.EINVALID {
		t.Fatalf("error kind %q (%v), want %q", app.ErrorKind(err), err, app.EINVALID)
	}
	msg := app.ErrorMessage(err)
	if !strings.Contains(msg, want) {
		t.Fatalf("error %q does not contain %q", msg, want)
	}
	if strings.Contains(msg, "\n") {
		t.Fatalf("error %q has more than one line", msg)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig("", []string{"PATH=/bin", "HOME=/root"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, app.DefaultConfig()) {
		t.Fatalf("LoadConfig without file or environment differs from app.DefaultConfig:\n%+v\n%+v", cfg, app.DefaultConfig())
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

func TestConfigExampleEqualsDefaults(t *testing.T) {
	cfg, err := LoadConfig(examplePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, app.DefaultConfig()) {
		t.Fatalf("config.example.toml drifted from app.DefaultConfig:\nexample  %+v\ndefaults %+v", cfg, app.DefaultConfig())
	}
}

func TestConfigExampleHasEveryKey(t *testing.T) {
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := toml.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	for _, f := range configFields(&cfg) {
		var node any = doc
		for _, part := range strings.Split(f.Key, ".") {
			m, ok := node.(map[string]any)
			if !ok {
				node = nil
				break
			}
			node = m[part]
		}
		if node == nil {
			t.Errorf("config.example.toml lacks key %s", f.Key)
		}
		// Arrays of tables are shown as a commented example: each of
		// their keys must appear in it.
		if !f.Scalar && f.Value.Kind() == reflect.Slice {
			elem := f.Value.Type().Elem()
			for i := 0; i < elem.NumField(); i++ {
				tag := elem.Field(i).Tag.Get("toml")
				if !regexp.MustCompile(`(?m)^#\s+` + tag + ` = `).Match(text) {
					t.Errorf("config.example.toml does not show %s.%s in its example", f.Key, tag)
				}
			}
		}
	}
}

func TestConfigExampleExplainsEveryKey(t *testing.T) {
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	for i, line := range lines {
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		if i == 0 || !strings.HasPrefix(lines[i-1], "#") {
			t.Errorf("config.example.toml:%d: key %q has no comment above it", i+1, line)
		}
	}
}

func TestLoadConfigFile(t *testing.T) {
	path := writeConfig(t, `
[server]
listen = "0.0.0.0:9090"
base_url = "https://bell.example.org"
trusted_proxies = ["10.0.0.1", "192.168.0.0/16"]

[database]
durability = "normal"

[storm]
enabled = false
short_window = "20s"

[polling]
rate_per_second = 0.5

[[notifications.types]]
name = "backup_done"
in_app = true
toast = true
webhook_event = "backup.done"
`)
	cfg, err := LoadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := app.DefaultConfig()
	want.Server.Listen = "0.0.0.0:9090"
	want.Server.BaseURL = "https://bell.example.org"
	want.Server.TrustedProxies = []string{"10.0.0.1", "192.168.0.0/16"}
	want.Database.Durability = "normal"
	want.Storm.Enabled = false
	want.Storm.ShortWindow = app.Duration{20 * time.Second}
	want.Polling.RatePerSecond = 0.5
	want.Notifications.Types = []app.NotificationType{{Name: "backup_done", InApp: true, Toast: true, WebhookEvent: "backup.done"}}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("got  %+v\nwant %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLoadConfigFileErrors(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"unknown key", "[server]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n", `config.toml:3: unknown key "server.lisen"`},
		{"several unknown keys", "[server]\nlisen = 1\nbase = 2\n", `config.toml:2: unknown key "server.lisen" (and 1 more)`},
		{"unknown section", "\n[sever]\nlisten = \"x\"\n", `config.toml:2: unknown section "sever"`},
		{"unknown key of a type", "[[notifications.types]]\nname = \"a\"\ninapp = true\n", `config.toml:3: unknown key "notifications.types.inapp"`},
		{"string expected", "[server]\nlisten = 8080\n", `config.toml:2: server.listen: expected a string, not an integer`},
		{"integer expected", "[polling]\nburst = \"lots\"\n", `config.toml:2: polling.burst: expected an integer, not a string`},
		{"boolean expected", "[storm]\nenabled = 1\n", `config.toml:2: storm.enabled: expected true or false, not an integer`},
		{"duration expected", "[storm]\nsticky = 60\n", `config.toml:2: storm.sticky: expected a duration string such as "10s", not an integer`},
		{"bad duration", "[storm]\nsticky = \"a minute\"\n", `config.toml:2: storm.sticky: invalid duration "a minute"`},
		{"syntax", "[server\nlisten = \"x\"\n", `config.toml:1: expected ']' to close table name`},
		{"duplicate", "[server]\nlisten = \"a\"\nlisten = \"b\"\n", `config.toml:3: key listen is already defined`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.content), nil)
			wantConfigError(t, err, tc.want)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.toml"), nil)
		wantConfigError(t, err, "nope.toml does not exist")
	})
	t.Run("unreadable file", func(t *testing.T) {
		_, err := LoadConfig(t.TempDir(), nil) // a directory
		wantConfigError(t, err, "cannot read config file")
	})
}

func TestLoadConfigEnv(t *testing.T) {
	path := writeConfig(t, "[server]\nlisten = \"127.0.0.1:1111\"\n[polling]\nburst = 7\n")
	cfg, err := LoadConfig(path, []string{
		"BELFRY_SERVER_LISTEN=127.0.0.1:2222",
		"BELFRY_STORM_ENABLED=false",
		"BELFRY_STORM_SHORT_WINDOW=20s",
		"BELFRY_POLLING_RATE_PER_SECOND=2.5",
		"BELFRY_SERVER_TRUSTED_PROXIES= 10.0.0.1, 10.0.0.0/8 ,",
		"BELFRY_AUTH_ADMIN_PASSWORD=correct horse",
		// Read by the command line, not keys: accepted and ignored here.
		"BELFRY_CONFIG=/etc/belfry.toml", "BELFRY_TOKEN=abc", "BELFRY_SERVER_URL=http://x",
		"OTHER_VAR=1", "belfry_server_listen=lower-case is not ours",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := app.DefaultConfig()
	want.Server.Listen = "127.0.0.1:2222" // the environment wins over the file
	want.Polling.Burst = 7                // the file wins over the default
	want.Storm.Enabled = false
	want.Storm.ShortWindow = app.Duration{20 * time.Second}
	want.Polling.RatePerSecond = 2.5
	want.Server.TrustedProxies = []string{"10.0.0.1", "10.0.0.0/8"}
	want.Auth.AdminPassword = "correct horse"
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("got  %+v\nwant %+v", cfg, want)
	}

	cfg, err = LoadConfig("", []string{"BELFRY_SERVER_TRUSTED_PROXIES="})
	if err != nil || cfg.Server.TrustedProxies != nil {
		t.Fatalf("empty list: %v %#v", err, cfg.Server.TrustedProxies)
	}
}

// TestLoadConfigEnvEveryKey sets every scalar key through its variable, so
// a key added to app.Config is checked without touching this test.
func TestLoadConfigEnvEveryKey(t *testing.T) {
	defaults := app.DefaultConfig()
	fields := configFields(&defaults)
	for _, f := range fields {
		if !f.Scalar {
			continue
		}
		t.Run(f.Env, func(t *testing.T) {
			var value string
			var want any
			switch v := f.Value.Interface().(type) {
			case string:
				value, want = "changed", "changed"
			case bool:
				value, want = map[bool]string{true: "false", false: "true"}[v], !v
			case int:
				value, want = "1234", 1234
			case float64:
				value, want = "12.5", 12.5
			case app.Duration:
				value, want = "7m", app.Duration{7 * time.Minute}
			case []string:
				value, want = "a,b", []string{"a", "b"}
			default:
				t.Fatalf("test does not know how to set %T", v)
			}
			cfg, err := LoadConfig("", []string{f.Env + "=" + value})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range configFields(&cfg) {
				if g.Key == f.Key && !reflect.DeepEqual(g.Value.Interface(), want) {
					t.Fatalf("%s=%s set %s to %#v, want %#v", f.Env, value, f.Key, g.Value.Interface(), want)
				}
			}
		})
	}
	if len(fields) < 30 {
		t.Fatalf("only %d keys found: the struct walk is broken", len(fields))
	}
}

func TestLoadConfigEnvErrors(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"BELFRY_STORM_ENABLED=maybe", `environment variable BELFRY_STORM_ENABLED: "maybe" is not true or false.`},
		{"BELFRY_POLLING_BURST=many", `environment variable BELFRY_POLLING_BURST: "many" is not an integer.`},
		{"BELFRY_POLLING_BURST=99999999999999999999", `BELFRY_POLLING_BURST: "99999999999999999999" is not an integer`},
		{"BELFRY_POLLING_RATE_PER_SECOND=fast", `BELFRY_POLLING_RATE_PER_SECOND: "fast" is not a number`},
		{"BELFRY_STORM_SHORT_WINDOW=10", `BELFRY_STORM_SHORT_WINDOW: invalid duration "10"`},
		{"BELFRY_SERVER_LISEN=:80", `environment variable BELFRY_SERVER_LISEN names no configuration key`},
		{"BELFRY_LISTEN=:80", `environment variable BELFRY_LISTEN names no configuration key`},
		{"BELFRY_NOTIFICATIONS_TYPES=a", `BELFRY_NOTIFICATIONS_TYPES: notifications.types can only be set in the config file`},
	} {
		t.Run(tc.env, func(t *testing.T) {
			_, err := LoadConfig("", []string{tc.env})
			wantConfigError(t, err, tc.want)
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *app.Config)
		want   string
	}{
		{"listen without port", func(c *app.Config) { c.Server.Listen = "localhost" }, "server.listen must be host:port"},
		{"listen with space", func(c *app.Config) { c.Server.Listen = "local host:80" }, "server.listen must be host:port"},
		{"listen port text", func(c *app.Config) { c.Server.Listen = "127.0.0.1:http" }, `server.listen has an invalid port "http"`},
		{"listen port range", func(c *app.Config) { c.Server.Listen = "127.0.0.1:70000" }, `invalid port "70000"`},
		{"base_url relative", func(c *app.Config) { c.Server.BaseURL = "/belfry" }, "server.base_url must be an absolute"},
		{"base_url scheme", func(c *app.Config) { c.Server.BaseURL = "ftp://x" }, "server.base_url must be an absolute"},
		{"base_url query", func(c *app.Config) { c.Server.BaseURL = "http://x/?a=1" }, "server.base_url must be an absolute"},
		{"base_url unparsable", func(c *app.Config) { c.Server.BaseURL = "http://[::1" }, "server.base_url must be an absolute"},
		{"trusted proxy", func(c *app.Config) { c.Server.TrustedProxies = []string{"proxy.lan"} }, `"proxy.lan" is neither an IP address nor a CIDR range`},
		{"shutdown timeout", func(c *app.Config) { c.Server.ShutdownTimeout = app.Duration{} }, "server.shutdown_timeout must be a positive duration"},
		{"database path", func(c *app.Config) { c.Database.Path = " " }, "database.path must not be empty"},
		{"durability", func(c *app.Config) { c.Database.Durability = "off" }, `database.durability must be full or normal, not "off"`},
		{"read conns", func(c *app.Config) { c.Database.ReadConns = 0 }, "database.read_conns must be at least 1, not 0"},
		{"batch max", func(c *app.Config) { c.Database.BatchMax = -1 }, "database.batch_max must be at least 1"},
		{"busy timeout", func(c *app.Config) { c.Database.BusyTimeout = app.Duration{-time.Second} }, "database.busy_timeout must be a positive duration"},
		{"admin password", func(c *app.Config) { c.Auth.AdminPassword = "short" }, "auth.admin_password: Password must be at least 8 characters long."},
		{"cookie secure", func(c *app.Config) { c.Auth.CookieSecure = "yes" }, `auth.cookie_secure must be auto, true or false, not "yes"`},
		{"session ttl", func(c *app.Config) { c.Auth.SessionTTL = app.Duration{} }, "auth.session_ttl must be a positive duration"},
		{"type name", func(c *app.Config) { c.Notifications.Types = []app.NotificationType{{Name: "Bad Name"}} }, `notifications.types: Notification type "Bad Name"`},
		{"type duplicate", func(c *app.Config) { c.Notifications.Types = []app.NotificationType{{Name: "job_failed"}} }, "is declared twice"},
		{"storm short window", func(c *app.Config) { c.Storm.ShortWindow = app.Duration{} }, "storm.short_window must be a positive duration"},
		{"storm long window", func(c *app.Config) { c.Storm.LongWindow = app.Duration{-1} }, "storm.long_window must be a positive duration"},
		{"storm backoff initial", func(c *app.Config) { c.Storm.BackoffInitial = app.Duration{} }, "storm.backoff_initial must be a positive duration"},
		{"storm backoff max", func(c *app.Config) { c.Storm.BackoffMax = app.Duration{} }, "storm.backoff_max must be a positive duration"},
		{"storm short max", func(c *app.Config) { c.Storm.ShortMax = 0 }, "storm.short_max must be at least 1"},
		{"storm long max", func(c *app.Config) { c.Storm.LongMax = 0 }, "storm.long_max must be at least 1"},
		{"storm sticky", func(c *app.Config) { c.Storm.Sticky = app.Duration{-time.Second} }, "storm.sticky must not be negative"},
		{"storm step", func(c *app.Config) { c.Storm.BackoffStep = app.Duration{-time.Second} }, "storm.backoff_step must not be negative"},
		{"storm windows", func(c *app.Config) { c.Storm.LongWindow = app.Duration{5 * time.Second} }, "storm.long_window (5s) must not be shorter than storm.short_window (10s)"},
		{"storm maxima", func(c *app.Config) { c.Storm.LongMax = 5 }, "storm.long_max (5) must not be smaller than storm.short_max (6)"},
		{"storm backoff", func(c *app.Config) { c.Storm.BackoffMax = app.Duration{500 * time.Millisecond} }, "storm.backoff_max (500ms) must not be shorter than storm.backoff_initial (1s)"},
		{"ws message size", func(c *app.Config) { c.WebSocket.MaxMessageBytes = 100 }, "websocket.max_message_bytes must be at least 512, not 100"},
		{"ws buffer", func(c *app.Config) { c.WebSocket.SendBuffer = 0 }, "websocket.send_buffer must be at least 1"},
		{"ws ping", func(c *app.Config) { c.WebSocket.PingPeriod = app.Duration{} }, "websocket.ping_period must be a positive duration"},
		{"polling rate", func(c *app.Config) { c.Polling.RatePerSecond = 0 }, "polling.rate_per_second must be a positive number, not 0"},
		{"polling burst", func(c *app.Config) { c.Polling.Burst = 0 }, "polling.burst must be at least 1"},
		{"webhook workers", func(c *app.Config) { c.Webhooks.Workers = 0 }, "webhooks.workers must be at least 1"},
		{"webhook timeout", func(c *app.Config) { c.Webhooks.Timeout = app.Duration{} }, "webhooks.timeout must be a positive duration"},
		{"webhook attempts", func(c *app.Config) { c.Webhooks.MaxAttempts = 0 }, "webhooks.max_attempts must be at least 1"},
		{"webhook retention", func(c *app.Config) { c.Webhooks.Retention = app.Duration{} }, "webhooks.retention must be a positive duration"},
		{"report schedule", func(c *app.Config) { c.Report.Schedule = "every monday" }, `report.schedule must be a 5-field cron expression`},
		{"report timezone", func(c *app.Config) { c.Report.Timezone = "Mars/Olympus" }, `report.timezone must be an IANA time zone such as "Europe/Paris" or "Local", not "Mars/Olympus"`},
		{"report timezone empty", func(c *app.Config) { c.Report.Timezone = "" }, `report.timezone must be an IANA time zone`},
		{"log level", func(c *app.Config) { c.Log.Level = "verbose" }, `log.level must be debug, info, warn or error, not "verbose"`},
		{"log format", func(c *app.Config) { c.Log.Format = "xml" }, `log.format must be text or json, not "xml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := app.DefaultConfig()
			tc.change(&cfg)
			wantConfigError(t, cfg.Validate(), tc.want)
		})
	}
}

func TestConfigValidateAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *app.Config)
	}{
		{"any port", func(c *app.Config) { c.Server.Listen = "127.0.0.1:0" }},
		{"all interfaces", func(c *app.Config) { c.Server.Listen = ":8080" }},
		{"ipv6", func(c *app.Config) { c.Server.Listen = "[::1]:8080" }},
		{"https with path", func(c *app.Config) { c.Server.BaseURL = "https://example.org/belfry/" }},
		{"proxies", func(c *app.Config) { c.Server.TrustedProxies = []string{"10.0.0.1", "fd00::/8"} }},
		{"storm off", func(c *app.Config) { c.Storm.Enabled = false }},
		{"no sticky, no step", func(c *app.Config) { c.Storm.Sticky, c.Storm.BackoffStep = app.Duration{}, app.Duration{} }},
		{"admin password", func(c *app.Config) { c.Auth.AdminPassword = "long enough" }},
		{"UTC report", func(c *app.Config) { c.Report.Timezone = "UTC" }},
		{"extra type", func(c *app.Config) { c.Notifications.Types = []app.NotificationType{{Name: "backup_done"}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := app.DefaultConfig()
			tc.change(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConfigReadmeDocumentsEveryKey keeps the configuration table of README.md
// complete: every key and its environment variable appear in it.
func TestConfigReadmeDocumentsEveryKey(t *testing.T) {
	text, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	for _, f := range configFields(&cfg) {
		env := "`" + f.Env + "`"
		if !f.Scalar {
			env = "file only"
		}
		if !strings.Contains(string(text), "| `"+f.Key+"` | "+env+" |") {
			t.Errorf("README.md has no row for %s (%s)", f.Key, env)
		}
	}
}
