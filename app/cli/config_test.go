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

const examplePath = "../../config.example.toml"

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
	want.Storm.ShortWindow = app.Duration{Duration: 20 * time.Second}
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
		"BELFRY_CLUSTER_NATS_URL=nats://nats:4222",
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
	want.Storm.ShortWindow = app.Duration{Duration: 20 * time.Second}
	want.Polling.RatePerSecond = 2.5
	want.Server.TrustedProxies = []string{"10.0.0.1", "10.0.0.0/8"}
	want.Auth.AdminPassword = "correct horse"
	want.Cluster.NATSURL = "nats://nats:4222"
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
				value, want = "7m", app.Duration{Duration: 7 * time.Minute}
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

func TestConfigReadmeDocumentsEveryKey(t *testing.T) {
	text, err := os.ReadFile("../../README.md")
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
