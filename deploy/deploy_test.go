// Package deploy holds no Go code: its tests check the deployment files
// beside them (the systemd unit, the Dockerfile, the environment file and
// the reverse-proxy recipes) against the binary's configuration and, where
// the tools exist, against the tools themselves.
package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/cli"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// directives returns the key=value lines of a unit file, by key.
func directives(unit string) map[string][]string {
	out := map[string][]string{}
	for _, line := range strings.Split(unit, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			out[k] = append(out[k], v)
		}
	}
	return out
}

func TestSystemdUnitHardening(t *testing.T) {
	d := directives(read(t, "belfry.service"))
	for key, want := range map[string]string{
		"User": "belfry", "StateDirectory": "belfry", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
		"PrivateTmp": "yes", "ProtectHome": "yes", "Restart": "on-failure", "EnvironmentFile": "-/etc/belfry/belfry.env",
		"ExecStart": "/usr/local/bin/belfry serve", "Environment": "BELFRY_DATABASE_PATH=/var/lib/belfry/belfry.db",
		"CapabilityBoundingSet": "", "KillSignal": "SIGTERM",
	} {
		if len(d[key]) == 0 || d[key][0] != want {
			t.Errorf("%s=%q, want %q", key, d[key], want)
		}
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit, with
// ExecStart pointing at an executable that exists here.
func TestSystemdUnitVerifies(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.Replace(read(t, "belfry.service"), "ExecStart=/usr/local/bin/belfry", "ExecStart="+exe, 1)
	path := filepath.Join(t.TempDir(), "belfry.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", path).CombinedOutput()
	// verify exits 0 on ignored directives too: any line about our unit is a finding.
	var findings []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "belfry.service") {
			findings = append(findings, line)
		}
	}
	if err != nil || len(findings) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// envAssignments finds BELFRY_ variables assigned in text, commented out or
// not, in the forms VAR=value and -e VAR=value.
var envAssignments = regexp.MustCompile("(BELFRY_[A-Z_]+)=([^\\s\"\\\\)`']*)")

// TestDeploymentSettingsExist loads every BELFRY_ setting the deployment
// files show, so a renamed key cannot leave them behind.
func TestDeploymentSettingsExist(t *testing.T) {
	for _, name := range []string{"belfry.env", "belfry.service", "Dockerfile", "Caddyfile", "nginx.conf", "../README.md", "../docs/install.md", "../docs/operations.md"} {
		text := read(t, name)
		for _, m := range envAssignments.FindAllStringSubmatch(text, -1) {
			m[2] = strings.TrimRight(m[2], ".,;:")
			if m[1] == cli.EnvConfig || m[1] == cli.EnvToken || m[1] == cli.EnvServerURL || m[2] == "" || strings.HasPrefix(m[2], "$") || strings.Contains(m[2], "…") {
				continue
			}
			cfg, err := cli.LoadConfig("", []string{m[1] + "=" + m[2]})
			if err == nil {
				err = cfg.Validate()
			}
			if err != nil {
				t.Errorf("%s: %s=%s: %v", name, m[1], m[2], err)
			}
		}
	}
}

func TestDockerfile(t *testing.T) {
	text := read(t, "Dockerfile")
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(text, -1)); n < 2 {
		t.Errorf("%d stages: want a build stage and a small final one", n)
	}
	goMod := read(t, "../go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(goMod)
	if goVersion == nil || !strings.Contains(text, "FROM golang:"+goVersion[1]+"-") {
		t.Errorf("the build stage's Go image does not match go.mod's go %v", goVersion)
	}
	for _, want := range []string{"RUN make build", "USER 65532:65532", "VOLUME /data", "BELFRY_DATABASE_PATH=/data/belfry.db",
		"BELFRY_SERVER_LISTEN=0.0.0.0:8080", "ca-certificates.crt"} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?m)^USER (root|0)\b`).MatchString(text) {
		t.Error("the container runs as root")
	}
}

func TestProxyRecipes(t *testing.T) {
	for name, wants := range map[string][]string{
		"nginx.conf": {"proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
			"proxy_set_header Host $host;", "X-Forwarded-For $proxy_add_x_forwarded_for", "proxy_read_timeout",
			"BELFRY_SERVER_TRUSTED_PROXIES=", "BELFRY_SERVER_BASE_URL=https://"},
		"Caddyfile": {"reverse_proxy 127.0.0.1:8080", "BELFRY_SERVER_TRUSTED_PROXIES=", "BELFRY_SERVER_BASE_URL=https://"},
	} {
		text := read(t, name)
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
}
