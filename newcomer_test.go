package main

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// The first ten minutes of a newcomer, as the README tells them: `make run`,
// then the README's commands in a second terminal.

// belfryOnPath returns a folder holding a link called belfry to this test
// binary, which TestMain then runs as the belfry command.
func belfryOnPath(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(os.Args[0], filepath.Join(dir, "belfry")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cleanEnv is the environment of this process without BELFRY_ variables,
// plus env.
func cleanEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BELFRY_") && !strings.HasPrefix(kv, "MAKE") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// startListening starts cmd and returns the URL it prints in its
// "Belfry listening on" line, and its stderr.
func startListening(t *testing.T, cmd *exec.Cmd) (string, *bytes.Buffer) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if url, ok := strings.CutPrefix(sc.Text(), "Belfry listening on "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return url, &stderr
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	t.Fatalf("%s did not start:\n%s", cmd, stderr.String())
	return "", nil
}

// TestMakeRunForwardsSIGTERM stops `make run` the way a service manager or
// an IDE does, with SIGTERM to make: belfry must get it, shut down
// gracefully and free the port. (With `go run`, the go command died and left
// belfry serving.) The build step is skipped (-o build): the binary is this
// test's.
func TestMakeRunForwardsSIGTERM(t *testing.T) {
	makefile, err := filepath.Abs("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dir := belfryOnPath(t)
	cmd := exec.Command("make", "--no-print-directory", "-f", makefile, "-o", "build", "-o", "assets", "run", "BIN=belfry")
	cmd.Dir = dir
	cmd.Env = cleanEnv("BELFRY_SERVER_LISTEN=127.0.0.1:0")
	url, stderr := startListening(t, cmd)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // make reports the signal in its own exit status
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("belfry logged no graceful shutdown after SIGTERM to make:\n%s", stderr)
	}
	if c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://")); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after make exited: belfry was left running", url)
	}
}

// readmeSection returns the shell code blocks of the README section whose
// heading is title, joined.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## "+title+"\n")
	if start < 0 {
		t.Fatalf("README.md has no section %q", title)
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var code []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		code = append(code, m[1])
	}
	if len(code) == 0 {
		t.Fatalf("README section %q has no sh block", title)
	}
	return strings.Join(code, "\n")
}

// TestReadmePublishingCommandsWork runs the README's "Publishing events"
// commands as written, in the folder where `make run` left ./belfry and
// runs it, against a real server (on a free port instead of 8080).
func TestReadmePublishingCommandsWork(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	script := readmeSection(t, "Publishing events")
	dir := belfryOnPath(t)
	serve := exec.Command(filepath.Join(dir, "belfry"), "serve")
	serve.Dir = dir
	serve.Env = cleanEnv("BELFRY_SERVER_LISTEN=127.0.0.1:0", "BELFRY_LOG_LEVEL=warn")
	url, _ := startListening(t, serve)

	script = strings.ReplaceAll(script, "http://127.0.0.1:8080", url)
	sh := exec.Command("bash", "-euo", "pipefail", "-c", script)
	sh.Dir = dir
	sh.Env = cleanEnv("BELFRY_SERVER_BASE_URL=" + url)
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's commands failed: %v\n%s", err, out)
	}
	// Each command's answer, in the README's order: the events API, belfry
	// notify's id, three ntfy publishes, a Gotify message, a route.
	want := []string{
		`^\{"notifications":\[\{"id":"[0-9a-f-]{36}","user_id":"[0-9a-f-]{36}"\}\],"webhooks":0\}\n?[0-9a-f-]{36}\n`,
		`\{"id":"[0-9a-f-]{36}","time":\d+,"event":"message","topic":"backups","title":"Backup failed","message":"Disk full on nas","priority":4,"tags":\["warning","floppy_disk"\]\}`,
		`"topic":"backups","message":"Look ma, with auth"\}`,
		`"topic":"backups","message":"triggered"\}`,
		`\{"id":\d+,"appid":\d+,"message":"Backup done","title":"Backup","priority":5,"date":"[^"]+"\}`,
		`\{"topic":"proxmox","users":\["alice","bob"\]\}`,
	}
	rest := out
	for _, w := range want {
		loc := regexp.MustCompile(`(?s)` + w).FindIndex(rest)
		if loc == nil {
			t.Fatalf("the README's commands printed no %s after what came before:\n%s", w, out)
		}
		rest = rest[loc[1]:]
	}
}

// TestReadmeGoVersion: the README names the Go that go.mod requires.
func TestReadmeGoVersion(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	if want := "Go " + string(m[1]) + " or newer"; !bytes.Contains(readme, []byte(want)) {
		t.Fatalf("README.md does not say %q", want)
	}
}

// TestNoCitationOfAbsentDesign: source and docs cite the documents of this
// repository (docs/architecture.md, docs/contract.md), not a design.md that
// newcomers do not have.
func TestNoCitationOfAbsentDesign(t *testing.T) {
	out, err := exec.Command("git", "grep", "-l", "design\\.md", "--", "*.go", "*.md", "*.sh", ":!newcomer_test.go").Output()
	if err != nil && len(out) > 0 {
		t.Fatal(err)
	}
	if files := strings.Fields(string(out)); len(files) > 0 {
		t.Fatalf("these files cite design.md, which is not in the repository: %v", files)
	}
}
