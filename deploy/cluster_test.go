package deploy

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/cli"
	"github.com/goccy/go-yaml"
)

// composeFile is the part of a compose file the cluster tests read.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Secrets     []string          `yaml:"secrets"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		Networks any `yaml:"networks"`
	} `yaml:"services"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

func readCompose(t *testing.T, name string) composeFile {
	t.Helper()
	var c composeFile
	if err := yaml.Unmarshal([]byte(read(t, name)), &c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// replicaNames are the Belfry services of the cluster example.
func replicaNames(c composeFile) []string {
	var out []string
	for name := range c.Services {
		if strings.HasPrefix(name, "belfry-") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// TestClusterCompose checks the cluster example: three identical replicas
// on PostgreSQL and NATS, each with the secrets it names and a health
// check on /readyz, and a configuration the binary accepts.
func TestClusterCompose(t *testing.T) {
	c := readCompose(t, "cluster/compose.yaml")
	replicas := replicaNames(c)
	if len(replicas) != 3 {
		t.Fatalf("replicas %v, want three", replicas)
	}
	first := c.Services[replicas[0]]
	for _, name := range replicas {
		s := c.Services[name]
		if !maps.Equal(s.Environment, first.Environment) || !slices.Equal(s.Secrets, first.Secrets) || s.Image != first.Image {
			t.Errorf("%s differs from %s: every replica of a cluster needs the same settings", name, replicas[0])
		}
		if !slices.Contains(s.Healthcheck.Test, "healthcheck") {
			t.Errorf("%s: health check %v, want belfry healthcheck (/readyz)", name, s.Healthcheck.Test)
		}
	}
	env := first.Environment
	for k, want := range map[string]string{"BELFRY_DATABASE_DRIVER": "postgres", "BELFRY_CLUSTER_NATS_URL": "nats://nats:4222"} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	for _, s := range []string{"postgres", "nats", "lb"} {
		if _, ok := c.Services[s]; !ok {
			t.Errorf("no %s service", s)
		}
	}
	for _, s := range first.Secrets {
		if c.Secrets[s].File == "" {
			t.Errorf("secret %s has no file", s)
		}
	}

	// The replicas' whole environment, with the secret files secrets.sh
	// writes, is a configuration the binary accepts.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secrets.sh"), []byte(read(t, "cluster/secrets.sh")), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sh", filepath.Join(dir, "secrets.sh")).CombinedOutput()
	if err != nil {
		t.Fatalf("secrets.sh: %v\n%s", err, out)
	}
	mounted := map[string]string{} // /run/secrets/NAME → the file secrets.sh wrote
	for name, s := range c.Secrets {
		path := filepath.Join(dir, s.File)
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("secrets.sh did not write %s with mode 600: %v", s.File, err)
		}
		mounted["/run/secrets/"+name] = path
	}
	dbURL, password := strings.TrimSpace(read(t, filepath.Join(dir, "database_url.txt"))), strings.TrimSpace(read(t, filepath.Join(dir, "postgres_password.txt")))
	if !strings.Contains(dbURL, ":"+password+"@postgres:5432/") {
		t.Errorf("database_url.txt %q does not hold the password of postgres_password.txt", dbURL)
	}
	var vars []string
	for k, v := range env {
		if p, ok := mounted[v]; ok {
			v = p
		}
		vars = append(vars, k+"="+v)
	}
	cfg, err := cli.LoadConfig("", vars)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Fatalf("the replicas' environment: %v", err)
	}
	if cfg.Database.URL != dbURL || cfg.Auth.AdminPassword == "" {
		t.Errorf("the secrets did not reach the configuration: database.url %q", cfg.Database.URL)
	}
	if got := cfg.Server.TrustedProxies; len(got) != 1 || !strings.Contains(read(t, "cluster/compose.yaml"), "ipv4_address: "+got[0]) {
		t.Errorf("trusted proxies %v are not the load balancer's fixed address", got)
	}
}

// TestClusterBalancer checks that the load balancer sends to every
// replica, on the port they listen on, and passes WebSockets.
func TestClusterBalancer(t *testing.T) {
	conf := read(t, "cluster/nginx.conf")
	var upstreams []string
	for _, m := range regexp.MustCompile(`(?m)^\s*server (belfry-\d+):8080\b`).FindAllStringSubmatch(conf, -1) {
		upstreams = append(upstreams, m[1])
	}
	if want := replicaNames(readCompose(t, "cluster/compose.yaml")); !slices.Equal(upstreams, want) {
		t.Errorf("upstreams %v, want the replicas %v", upstreams, want)
	}
	for _, want := range []string{"proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
		"proxy_http_version 1.1;", "proxy_buffering off;", "proxy_read_timeout 120s;", "X-Forwarded-For $proxy_add_x_forwarded_for"} {
		if !strings.Contains(conf, want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
}
