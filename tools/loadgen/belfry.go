package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// belfry is the Belfry system: a `belfry serve` process driven only through
// the external contract of design.md §6 — BELFRY_* environment variables,
// the user and token commands, POST /api/v1/events and /ws/notification/ —
// so that it keeps working whatever the code inside looks like.
type belfry struct {
	bin     string
	baseURL string
	cliEnv  []string // the environment of CLI commands: where the database is
	body    string   // the Markdown body of every published event
	dir     string   // the run's directory, "" for an external server
	keep    bool
	proc    *process // nil for an external server
	pid     int

	users        []string
	clientTokens []string // one per user
	publishToken string   // users' own publish token (one user) or an admin token
}

// belfryTarget says which Belfry to measure.
type belfryTarget struct {
	Bin string // the binary: serves, and runs the user and token commands
	// URL, when set, is a Belfry already running; its database is DB (or
	// the one of Config), whose path the CLI commands need, and PID its
	// process for the memory workload.
	URL, DB, Config string
	PID             int
	Body            string
}

// eventType is a built-in type whose toast preference is on by default, so
// that every notification frame carries the notification object.
const eventType = "job_completed"

// startBelfry returns the starter of Belfry systems for t.
func startBelfry(t belfryTarget) starter {
	return func(ctx context.Context, o systemOptions) (system, error) {
		if t.URL != "" {
			return externalBelfry(t)
		}
		return launchBelfry(ctx, t, o)
	}
}

// externalBelfry is a Belfry the generator does not start: the run's
// options (durability, send buffer) are the server's own.
func externalBelfry(t belfryTarget) (system, error) {
	b := &belfry{bin: t.Bin, baseURL: strings.TrimRight(t.URL, "/"), body: t.Body, pid: t.PID}
	if t.DB != "" {
		b.cliEnv = append(b.cliEnv, "BELFRY_DATABASE_PATH="+t.DB)
	}
	if t.Config != "" {
		b.cliEnv = append(b.cliEnv, "BELFRY_CONFIG="+t.Config)
	}
	return b, nil
}

// launchBelfry starts `belfry serve` on a free loopback port with a fresh
// database in a temporary directory and storm prevention off, so that every
// publish produces a full frame.
func launchBelfry(ctx context.Context, t belfryTarget, o systemOptions) (system, error) {
	dir, err := os.MkdirTemp("", "belfry-loadgen-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	b := &belfry{bin: t.Bin, baseURL: "http://" + addr, body: t.Body, dir: dir, keep: o.Keep}
	b.cliEnv = []string{"BELFRY_DATABASE_PATH=" + filepath.Join(dir, "belfry.db")}
	env := append([]string{
		"BELFRY_SERVER_LISTEN=" + addr,
		"BELFRY_SERVER_BASE_URL=" + b.baseURL,
		"BELFRY_DATABASE_DURABILITY=" + o.Durability,
		"BELFRY_STORM_ENABLED=false",
		"BELFRY_AUTH_ADMIN_PASSWORD=" + randomText(12),
		// Every client of the generator comes from 127.0.0.1: as a trusted
		// proxy's address it is exempt from server.max_connections_per_address
		// (a key older binaries do not know, so it is not set instead).
		"BELFRY_SERVER_TRUSTED_PROXIES=127.0.0.1",
	}, b.cliEnv...)
	if o.SendBuffer > 0 {
		env = append(env, "BELFRY_WEBSOCKET_SEND_BUFFER="+strconv.Itoa(o.SendBuffer))
	}
	// Every socket of the generator comes from 127.0.0.1: lift the
	// per-address limit, where the binary has one.
	if perAddress := "BELFRY_WEBSOCKET_MAX_PER_ADDRESS=" + strconv.Itoa(socketsPerAddress); b.accepts(ctx, perAddress) {
		env = append(env, perAddress)
	}
	env = append(env, o.Env...)
	b.proc, err = startProcess(t.Bin, []string{"serve"}, dir, "BELFRY_", env, filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b.pid = b.proc.PID()
	if err := b.proc.waitReady(ctx, b.baseURL+"/readyz", 30*time.Second); err != nil {
		_, _ = b.Stop()
		return nil, err
	}
	return b, nil
}

// socketsPerAddress is websocket.max_per_address of a Belfry the generator
// starts, far above the sockets of any workload.
const socketsPerAddress = 100_000

// accepts reports whether the binary takes the environment variable kv
// (NAME=value): a Belfry older than the key refuses the configuration,
// which `belfry migrate status` reports with exit code 2 before it looks
// for the database.
func (b *belfry) accepts(ctx context.Context, kv string) bool {
	cmd := exec.CommandContext(ctx, b.bin, "migrate", "status")
	cmd.Env = childEnv("BELFRY_", []string{"BELFRY_DATABASE_PATH=" + filepath.Join(b.dir, "probe.db"), kv})
	cmd.Dir = b.dir
	var exit *exec.ExitError
	err := cmd.Run()
	return err == nil || (errors.As(err, &exit) && exit.ExitCode() != 2)
}

// Name implements system.
func (b *belfry) Name() string { return "Belfry" }

// PID implements system.
func (b *belfry) PID() int { return b.pid }

// Prepare implements system: users with a client token each, and a publish
// token of the one user or, for several, an admin token that names them.
func (b *belfry) Prepare(ctx context.Context, users int) error {
	prefix := "lg" + randomText(3) + "-"
	for i := range users {
		name := prefix + strconv.Itoa(i)
		if _, err := b.cli(ctx, randomText(12)+"\n", "user", "add", name, "--password-stdin"); err != nil {
			return err
		}
		tok, err := b.cli(ctx, "", "token", "create", name, "--scope", "client", "--name", "loadgen")
		if err != nil {
			return err
		}
		b.users = append(b.users, name)
		b.clientTokens = append(b.clientTokens, tok)
	}
	owner, scope := b.users[0], "publish"
	if users > 1 {
		owner, scope = "admin", "admin"
	}
	tok, err := b.cli(ctx, "", "token", "create", owner, "--scope", scope, "--name", "loadgen")
	b.publishToken = tok
	return err
}

// cli runs a belfry command against the server's database and returns its
// standard output, trimmed.
func (b *belfry) cli(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = childEnv("BELFRY_", b.cliEnv)
	cmd.Dir = b.dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("belfry %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Listener implements system.
func (b *belfry) Listener(user int) (string, http.Header) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+b.clientTokens[user])
	h.Set("Origin", b.baseURL)
	return "ws" + strings.TrimPrefix(b.baseURL, "http") + "/ws/notification/", h
}

// event is the body of POST /api/v1/events.
type event struct {
	Type  string   `json:"type"`
	Title string   `json:"title"`
	Body  string   `json:"body,omitempty"`
	Users []string `json:"users,omitempty"`
}

// Publish implements system.
func (b *belfry) Publish(ctx context.Context, c *http.Client, title string) error {
	ev := event{Type: eventType, Title: title, Body: b.body}
	if len(b.users) > 1 {
		ev.Users = b.users
	}
	body, _ := json.Marshal(ev) // strings only: cannot fail
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.baseURL+"/api/v1/events", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.publishToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("publish: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// notificationFrame is the part of a /ws/notification/ frame the generator
// reads (spec/websocket-api.txt).
type notificationFrame struct {
	Type         string `json:"type"`
	ReloadWidget bool   `json:"reload_widget"`
	Notification *struct {
		Message string `json:"message"`
	} `json:"notification"`
}

// Decode implements system.
func (b *belfry) Decode(frame []byte) (frameKind, string) {
	var f notificationFrame
	if err := json.Unmarshal(frame, &f); err != nil || f.Type != "notification" {
		return frameOther, ""
	}
	switch {
	case f.Notification != nil:
		return frameMessage, f.Notification.Message
	case f.ReloadWidget:
		return frameReload, ""
	default:
		return frameCountOnly, ""
	}
}

// Stop implements system.
func (b *belfry) Stop() (map[string]int, error) {
	if b.proc == nil {
		return nil, nil
	}
	err := b.proc.stop(15 * time.Second)
	counts := b.proc.logCounts()
	if !b.keep {
		err = errors.Join(err, os.RemoveAll(b.dir))
	} else {
		fmt.Fprintf(os.Stderr, "loadgen: kept %s\n", b.dir)
	}
	return counts, err
}

// randomText returns 2n random hex digits.
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
