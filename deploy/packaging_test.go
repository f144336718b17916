package deploy

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The Debian package is built by scripts/release.sh with nfpm from
// nfpm.yaml and checked by scripts/deb-check.sh (make deb, make test's
// dist-check step). These tests keep its inputs consistent.

func TestDebVersion(t *testing.T) {
	for version, want := range map[string]string{
		"v1.2.3": "1.2.3", "v1.2.3-rc.1": "1.2.3~rc.1", "v1.2.3-4-gabc1234": "1.2.3+4.gabc1234",
		"v1.2.3-4-gabc1234-dirty": "1.2.3+4.gabc1234.dirty", "abc1234": "0~abc1234", "abc1234-dirty": "0~abc1234.dirty",
	} {
		out, err := exec.Command("bash", "../scripts/deb-version.sh", version).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%s: %q, want %q", version, got, want)
		}
	}
	// Debian orders them as releases should be ordered.
	if _, err := exec.LookPath("dpkg"); err == nil {
		for _, pair := range [][2]string{{"0~abc1234", "1.2.3~rc.1"}, {"1.2.3~rc.1", "1.2.3"}, {"1.2.3", "1.2.3+4.gabc1234"}, {"1.2.3+4.gabc1234", "1.2.4"}} {
			if err := exec.Command("dpkg", "--compare-versions", pair[0], "lt", pair[1]).Run(); err != nil {
				t.Errorf("dpkg does not order %s before %s", pair[0], pair[1])
			}
		}
	}
}

func TestNfpmConfig(t *testing.T) {
	var cfg struct {
		Depends  []string `yaml:"depends"`
		Contents []struct {
			Src    string `yaml:"src"`
			Dst    string `yaml:"dst"`
			Type   string `yaml:"type"`
			Expand bool   `yaml:"expand"`
		} `yaml:"contents"`
		Scripts map[string]string `yaml:"scripts"`
	}
	if err := yaml.Unmarshal([]byte(read(t, "nfpm.yaml")), &cfg); err != nil {
		t.Fatal(err)
	}
	dst := map[string]string{}
	for _, c := range cfg.Contents {
		dst[c.Dst] = c.Type
		if strings.Contains(c.Src, "${") != c.Expand {
			t.Errorf("%s: a source with variables needs expand: true, one without none", c.Src)
		}
		if !c.Expand {
			if _, err := os.Stat("../" + c.Src); err != nil {
				t.Errorf("%s: %v", c.Dst, err)
			}
		}
	}
	for _, conf := range []string{"/etc/belfry/belfry.env", "/etc/belfry/config.toml"} {
		if dst[conf] != "config" {
			t.Errorf("%s is not a conffile (type: config)", conf)
		}
	}
	for _, want := range []string{"/usr/bin/belfry", "/lib/systemd/system/belfry.service", "/usr/share/doc/belfry/copyright"} {
		if _, ok := dst[want]; !ok {
			t.Errorf("the package has no %s", want)
		}
	}
	for _, script := range []string{"postinstall", "preremove", "postremove"} {
		path := "../" + cfg.Scripts[script]
		st, err := os.Stat(path)
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("%s script %s: missing or not executable (%v)", script, path, err)
			continue
		}
		if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %s", path, out)
		}
	}
	// release.sh adapts the unit's ExecStart to the package's binary.
	if !strings.Contains(read(t, "belfry.service"), "\nExecStart=/usr/local/bin/belfry serve\n") {
		t.Error("belfry.service lacks the ExecStart line that release.sh rewrites for the package")
	}
}
