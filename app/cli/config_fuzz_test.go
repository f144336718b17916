package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/pelletier/go-toml/v2"
)

// FuzzConfig loads config files as belfry serve does (LoadConfig, then
// Validate). Every refusal is a one-line EINVALID message that names the
// file; a configuration that loads and validates is written back as TOML
// and loads again to the same value.
func FuzzConfig(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, s := range []string{
		"[server]\nlisten = \"0.0.0.0:8080\"\nbase_url = \"https://belfry.example\"\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
		"[storm]\nsticky = 60\n", "[polling]\nrate_per_second = nan\n", "[polling]\nrate_per_second = inf\nburst = 9223372036854775807\n",
		"[database]\nbusy_timeout = \"-1s\"\n", "[server]\nlisten = \"host\"\n", "[nope]\n", "[server]\nlistn = 1\n",
		"[[notifications.types]]\nname = \"backup_done\"\nwebhook_event = \"backup.done\"\n",
		"[[notifications.types]]\nname = \"job_failed\"\n", "[auth]\nsession_ttl = \"1h\"\nadmin_password = \"short\"\n",
		"server = 1\n", "[server\n", "\xff", "[server]\nlisten = \"\"\"\n\"\"\"\n", "a.b.c = 1\n",
	} {
		f.Add([]byte(s))
	}
	// Inputs run one at a time in each process: two files are enough.
	dir := f.TempDir()
	path, again := filepath.Join(dir, "config.toml"), filepath.Join(dir, "again.toml")
	f.Fuzz(func(t *testing.T, doc []byte) {
		if err := os.WriteFile(path, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(path, nil)
		if err != nil {
			checkConfigError(t, doc, err)
			if msg := app.ErrorMessage(err); !strings.HasPrefix(msg, path) && !strings.Contains(msg, "config file "+path) {
				t.Fatalf("%q: error %q does not name the file", doc, msg)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			checkConfigError(t, doc, err)
			return
		}
		out, err := toml.Marshal(cfg)
		if err != nil {
			t.Fatalf("%q: marshal the loaded config: %v", doc, err)
		}
		if err := os.WriteFile(again, out, 0o600); err != nil {
			t.Fatal(err)
		}
		back, err := LoadConfig(again, nil)
		if err != nil {
			t.Fatalf("%q loads, but written back as\n%s\nit does not: %v", doc, out, err)
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Fatalf("%q: written back and loaded again it changed:\n%+v\n%+v", doc, cfg, back)
		}
	})
}

// checkConfigError asserts the one error shape of the configuration: a
// one-line EINVALID *app.Error.
func checkConfigError(t *testing.T, doc []byte, err error) {
	t.Helper()
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Kind != app.EINVALID || ae.Message == "" || strings.ContainsAny(ae.Message, "\r\n") {
		t.Fatalf("%q: error %#v, want a one-line EINVALID *app.Error", doc, err)
	}
}
