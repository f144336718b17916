package cli

import (
	"reflect"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestConfigCheck(t *testing.T) {
	good := writeConfig(t, "[server]\nlisten = \"0.0.0.0:8080\"\n")
	res := mustRun(t, nil, "", "config", "check", "--config", good)
	if res.stdout != good+": the configuration is valid.\n" {
		t.Fatalf("stdout %q", res.stdout)
	}
	res = mustRun(t, []string{"BELFRY_CONFIG=" + good, "BELFRY_LOG_LEVEL=warn"}, "", "config", "check")
	if res.stdout != good+" with 1 BELFRY_ variable: the configuration is valid.\n" {
		t.Fatalf("stdout %q", res.stdout)
	}
	if res := mustRun(t, nil, "", "config", "check"); res.stdout != "The built-in defaults: the configuration is valid.\n" {
		t.Fatalf("stdout %q", res.stdout)
	}
}

// TestConfigCheckPlacesErrors: every kind of bad configuration exits 2 and
// names the file and line, or the variable, of the bad key.
func TestConfigCheckPlacesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		env        []string
		want       string // after "PATH:" when it starts with a digit
	}{
		{"unknown key", "[server]\nlisen = \"x\"\n", nil, `2: unknown key "server.lisen"`},
		{"wrong type", "\n[polling]\nburst = \"many\"\n", nil, `3: polling.burst: expected an integer, not a string`},
		{"invalid value", "[server]\nbase_url = \"http://x\"\n\nlisten = \"nope\"\n", nil,
			`4: server.listen must be host:port (e.g. 127.0.0.1:8080), not "nope".`},
		{"two keys, the first named", "[storm]\nshort_window = \"10s\"\nlong_window = \"5s\"\n", nil,
			`3: storm.long_window (5s) must not be shorter than storm.short_window (10s).`},
		{"array of tables", "[notifications]\n\n[[notifications.types]]\nname = \"Bad Name\"\n", nil, `3: notifications.types: `},
		{"checked only at start", "[report]\nschedule = \"61 * * * *\"\n", nil, `2: report.schedule "61 * * * *" is not a 5-field cron expression`},
		{"from the environment", "[server]\nlisten = \"127.0.0.1:1\"\n", []string{"BELFRY_SERVER_LISTEN=nope"},
			`server.listen must be host:port (e.g. 127.0.0.1:8080), not "nope" (set by BELFRY_SERVER_LISTEN)`},
		{"bad TOML", "[server\n", nil, `1: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.file)
			want := tc.want
			if want[0] >= '0' && want[0] <= '9' {
				want = path + ":" + want
			}
			wantFailure(t, runCLI(t, tc.env, "", "config", "check", "--config", path), 2, want)
		})
	}
	wantFailure(t, runCLI(t, nil, "", "config", "check", "--config", "/nonexistent/belfry.toml"), 2,
		"config file /nonexistent/belfry.toml does not exist.")
	wantFailure(t, runCLI(t, nil, "", "config", "check", "extra"), 2, "usage: belfry config check [--config FILE]")
	wantFailure(t, runCLI(t, nil, "", "config", "frob"), 2, `config: unknown command "frob"`)
}

// TestServePlacesStartErrors: serve names the line of a key that only the
// start can check, as config check does.
func TestServePlacesStartErrors(t *testing.T) {
	env, _ := testEnv(t)
	path := writeConfig(t, "[report]\ntimezone = \"UTC\"\nschedule = \"0 25 * * *\"\n")
	wantFailure(t, runCLI(t, env, "", "serve", "--config", path), 2, path+":3: report.schedule")
}

func TestConfigDefaultsTOML(t *testing.T) {
	res := mustRun(t, nil, "", "config", "defaults")
	path := writeConfig(t, res.stdout)
	cfg, err := LoadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, app.DefaultConfig()) {
		t.Fatalf("config defaults does not read back as the defaults:\n%s", res.stdout)
	}
	for _, want := range []string{"[server]\nlisten = '127.0.0.1:8080'\n", "session_ttl = '720h'\n", "types = []\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("config defaults lacks %q", want)
		}
	}
}

func TestConfigDefaultsEnv(t *testing.T) {
	res := mustRun(t, nil, "", "config", "defaults", "--env")
	var environ []string
	defaults := app.DefaultConfig()
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			seen[strings.Fields(strings.TrimPrefix(line, "#"))[0]] = true
			continue
		}
		environ = append(environ, line)
		seen[line[:strings.Index(line, "=")]] = true
	}
	cfg, err := LoadConfig("", environ)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, defaults) {
		t.Fatalf("config defaults --env does not read back as the defaults:\n%s", res.stdout)
	}
	for _, f := range configFields(&defaults) {
		if !seen[f.Env+"="] && !seen[f.Env] && !seen[f.Key+":"] {
			t.Errorf("config defaults --env does not show %s", f.Key)
		}
	}
	for _, want := range []string{"\nBELFRY_STORM_LONG_WINDOW=3m\n", "\n#BELFRY_AUTH_ADMIN_PASSWORD_FILE=\n",
		"\n# notifications.types: only in the config file\n", "\nBELFRY_REPORT_SCHEDULE=0 8 * * 1\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("config defaults --env lacks %q", want)
		}
	}
}
