package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app/cli"
	"github.com/goccy/go-yaml"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// goBinary builds a small Go program for this machine, a stand-in for
// belfry that has the shape the checks look for: static, or with cgo
// dynamically linked against libc.
func goBinary(t *testing.T, cgo bool) string {
	t.Helper()
	dir := t.TempDir()
	src := "package main\n\nfunc main() { println(\"belfry\") }\n"
	if cgo {
		src = "package main\n\n// int one(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.one()) }\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", "bin", ".")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "CGO_ENABLED="+map[bool]string{true: "1", false: "0"}[cgo], "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "bin")
}

var testMeta = meta{version: "v1.2.3", revision: "abc123", created: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}

func hostPlatform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

func TestBuildAndInspect(t *testing.T) {
	bin := goBinary(t, false)
	dir := t.TempDir()
	out, archives := filepath.Join(dir, "oci"), filepath.Join(dir, "archives")
	if err := os.Mkdir(archives, 0o755); err != nil {
		t.Fatal(err)
	}
	plat := "linux/" + runtime.GOARCH
	tags := []string{"latest", "v1", "v1.2", "v1.2.3"}
	if err := build(out, archives, []string{plat + "=" + bin}, tags, "/etc/ssl/certs/ca-certificates.crt",
		"v1.2.3", "abc123", "2026-12-01T10:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if err := inspectLayout(out, "v1.2.3", tags, false, false); err != nil {
		t.Fatalf("a freshly built layout fails the inspection: %v", err)
	}
	if err := inspectLayout(out, "v1.2.4", tags, false, false); err == nil || !strings.Contains(err.Error(), `version is "v1.2.3", want "v1.2.4"`) {
		t.Fatalf("wrong version: %v", err)
	}
	if err := inspectLayout(out, "v1.2.3", []string{"v2"}, false, false); err == nil || !strings.Contains(err.Error(), `no tag "v2"`) {
		t.Fatalf("missing tag: %v", err)
	}
	if _, err := os.Stat(filepath.Join(archives, "belfry-v1.2.3-image-"+runtime.GOARCH+".tar")); err != nil {
		t.Fatal(err)
	}
	// The same inputs give the same image, so a rebuild changes no digest.
	again := filepath.Join(dir, "again")
	if err := build(again, "", []string{plat + "=" + bin}, tags, "/etc/ssl/certs/ca-certificates.crt",
		"v1.2.3", "abc123", "2026-12-01T10:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if digest(t, out) != digest(t, again) {
		t.Fatal("two builds of the same inputs differ")
	}
}

func digest(t *testing.T, dir string) string {
	t.Helper()
	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	return im.Manifests[0].Digest.String()
}

// TestCheckImageFinds: the inspection finds each kind of mistake.
func TestCheckImageFinds(t *testing.T) {
	bin := goBinary(t, false)
	good, err := buildImage(hostPlatform(), bin, "/etc/ssl/certs/ca-certificates.crt", testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if bad := checkImage(good, hostPlatform(), "v1.2.3"); len(bad) > 0 {
		t.Fatalf("a good image: %v", bad)
	}
	change := func(fn func(c *v1.Config)) v1.Image {
		cf, err := good.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		fn(&cf.Config)
		img, err := mutate.ConfigFile(good, cf)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	for _, tc := range []struct {
		name string
		img  v1.Image
		plat v1.Platform
		want string
	}{
		{"root", change(func(c *v1.Config) { c.User = "0" }), hostPlatform(), "user is 0"},
		{"no health check", change(func(c *v1.Config) { c.Healthcheck = nil }), hostPlatform(), "health check <nil>"},
		{"no volume", change(func(c *v1.Config) { c.Volumes = nil }), hostPlatform(), "volumes is map[]"},
		{"label", change(func(c *v1.Config) { delete(c.Labels, "org.opencontainers.image.source") }), hostPlatform(), "label org.opencontainers.image.source is missing"},
		{"entrypoint", change(func(c *v1.Config) { c.Entrypoint = []string{"/bin/sh"} }), hostPlatform(), "entrypoint is [/bin/sh]"},
		{"architecture", good, v1.Platform{OS: "linux", Architecture: other}, "is built for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Join(checkImage(tc.img, tc.plat, "v1.2.3"), "\n")
			if !strings.Contains(bad, tc.want) {
				t.Fatalf("problems %q do not include %q", bad, tc.want)
			}
		})
	}
	// A cgo binary needs libc, which a scratch image does not have.
	dynamic, err := os.ReadFile(goBinary(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if bad := strings.Join(checkBinary(dynamic, hostPlatform()), "\n"); !strings.Contains(bad, "dynamically linked") {
		t.Errorf("a cgo binary passes: %q", bad)
	}
}

func TestImageTags(t *testing.T) {
	for version, want := range map[string]string{
		"v1.2.3": "latest v1 v1.2 v1.2.3", "v10.20.30": "latest v10 v10.20 v10.20.30",
		"v1.2.3-rc.1": "v1.2.3-rc.1", "v1.2.3-4-gabc1234-dirty": "v1.2.3-4-gabc1234-dirty", "abc1234": "abc1234", "a+b/c": "a-b-c",
	} {
		out, err := exec.Command("bash", "../../scripts/image-tags.sh", version).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(strings.Fields(string(out)), " "); got != want {
			t.Errorf("%s: tags %q, want %q", version, got, want)
		}
	}
}

// TestDockerfileMatchesImage: deploy/Dockerfile, for builds from source
// with a Docker daemon, makes the same image as this tool.
func TestDockerfileMatchesImage(t *testing.T) {
	b, err := os.ReadFile("../../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	final := text[strings.LastIndex(text, "FROM "):]
	for _, want := range []string{
		"FROM scratch", "USER " + user, "WORKDIR " + dataDir, "VOLUME " + dataDir, "EXPOSE 8080", "STOPSIGNAL SIGTERM",
		`ENTRYPOINT ["` + binPath + `"]`, `CMD ["serve"]`, "COPY --from=build /out/belfry " + binPath, caPath,
		`HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["` + binPath + `", "healthcheck"]`,
	} {
		if !strings.Contains(final, want) {
			t.Errorf("the Dockerfile's final stage lacks %q", want)
		}
	}
	envLine := regexp.MustCompile(`(?m)^ENV (.*)$`).FindStringSubmatch(final)
	if envLine == nil || !reflect.DeepEqual(strings.Fields(envLine[1]), env) {
		t.Errorf("the Dockerfile's ENV %q differs from the image's %q", envLine, env)
	}
}

// TestComposeFile: deploy/compose.yaml keeps the image's health check and
// volume, and sets only keys that exist.
func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile("../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			Secrets     []string          `yaml:"secrets"`
			Healthcheck struct {
				Test        []string `yaml:"test"`
				Interval    string   `yaml:"interval"`
				Timeout     string   `yaml:"timeout"`
				StartPeriod string   `yaml:"start_period"`
				Retries     int      `yaml:"retries"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	s, ok := doc.Services["belfry"]
	if !ok {
		t.Fatal("compose.yaml has no belfry service")
	}
	hc := s.Healthcheck
	if !reflect.DeepEqual(hc.Test, healthcheck.Test) || hc.Interval != "30s" || hc.Timeout != "5s" || hc.StartPeriod != "10s" || hc.Retries != healthcheck.Retries {
		t.Errorf("health check %+v differs from the image's %+v", hc, healthcheck)
	}
	if !slicesContainSuffix(s.Volumes, ":"+dataDir) || s.Image != "belfry:latest" {
		t.Errorf("image %q, volumes %v: want belfry:latest with a volume on %s", s.Image, s.Volumes, dataDir)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("a long admin password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var environ []string
	for k, v := range s.Environment {
		if strings.HasSuffix(k, cli.EnvFileSuffix) {
			if !strings.HasPrefix(v, "/run/secrets/") || !slicesContainSuffix(s.Secrets, filepath.Base(v)) {
				t.Errorf("%s=%s is not one of the service's secrets", k, v)
			}
			v = secret
		}
		environ = append(environ, k+"="+v)
	}
	cfg, err := cli.LoadConfig("", environ)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Errorf("compose.yaml's environment: %v", err)
	}
}

func slicesContainSuffix(list []string, suffix string) bool {
	for _, s := range list {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}
