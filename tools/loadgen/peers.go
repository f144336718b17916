package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Peers measured side by side with Belfry, from binaries built by hand
// outside the repository (docs/benchmarks.md): ntfy with its documented
// "tuned for scale" cache settings, and Gotify on SQLite in WAL mode. Both
// deliver one message to every subscriber of a topic (ntfy) or every client
// of a user (Gotify), as Belfry does to every socket of a user, so they
// support one recipient only (-users 1).

// peer is what the two peers share: a child process in a directory of its
// own on a free loopback port.
type peer struct {
	name    string
	baseURL string
	dir     string
	keep    bool
	proc    *process
}

// launchPeer starts bin with args and env in a fresh directory and waits
// until health answers 200. args, env and the files written into the
// directory may use {dir} and {port}; the generator's variables starting
// with envPrefix are not passed on.
func launchPeer(ctx context.Context, name, bin, envPrefix string, args, env []string, health string, files map[string]string, keep bool) (*peer, error) {
	dir, err := os.MkdirTemp("", "loadgen-"+strings.ToLower(name)+"-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	expand := strings.NewReplacer("{dir}", dir, "{port}", strconv.Itoa(port))
	for i := range args {
		args[i] = expand.Replace(args[i])
	}
	for i := range env {
		env[i] = expand.Replace(env[i])
	}
	for file, text := range files {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(expand.Replace(text)), 0o600); err != nil {
			return nil, err
		}
	}
	p := &peer{name: name, baseURL: "http://127.0.0.1:" + strconv.Itoa(port), dir: dir, keep: keep}
	if p.proc, err = startProcess(bin, args, dir, envPrefix, env, filepath.Join(dir, "server.log")); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := p.proc.waitReady(ctx, p.baseURL+health, 30*time.Second); err != nil {
		_, _ = p.Stop()
		return nil, err
	}
	return p, nil
}

// Name implements system.
func (p *peer) Name() string { return p.name }

// PID implements system.
func (p *peer) PID() int { return p.proc.PID() }

// Stop implements system; peers log in their own formats, so only the
// runtime's race reports and panics are counted.
func (p *peer) Stop() (map[string]int, error) {
	err := p.proc.stop(15 * time.Second)
	counts := p.proc.logCounts()
	for k := range counts {
		if strings.HasPrefix(k, "WARN ") || strings.HasPrefix(k, "ERROR ") {
			delete(counts, k)
		}
	}
	if !p.keep {
		err = errors.Join(err, os.RemoveAll(p.dir))
	}
	return counts, err
}

// post sends body to url and fails unless the answer is 200.
func post(ctx context.Context, c *http.Client, url, contentType string, body []byte, header http.Header, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, bytes.TrimSpace(b))
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}

// oneRecipient refuses workloads with several recipients.
func oneRecipient(name string, users int) error {
	if users != 1 {
		return fmt.Errorf("%s is measured with one recipient only (-users 1)", name)
	}
	return nil
}

// ntfy is an ntfy server: subscribers of one topic, publishes to it.
type ntfy struct{ *peer }

// ntfyConfig is ntfy's "tuned for scale" message cache (its docs, "Tuning
// for scale": batched asynchronous writes, WAL, synchronous=normal), with
// the per-visitor limits lifted for a generator that is one visitor.
const ntfyConfig = `base-url: "http://127.0.0.1:{port}"
listen-http: "127.0.0.1:{port}"
cache-file: "{dir}/cache.db"
cache-batch-size: 25
cache-batch-timeout: "1s"
cache-startup-queries: |
  pragma journal_mode = WAL;
  pragma synchronous = normal;
  pragma temp_store = memory;
  pragma busy_timeout = 15000;
  vacuum;
visitor-request-limit-exempt-hosts: "127.0.0.1"
visitor-subscription-limit: 100000
global-topic-limit: 100000
`

// startNtfy returns the starter of ntfy servers from bin.
func startNtfy(bin string) starter {
	return func(ctx context.Context, o systemOptions) (system, error) {
		p, err := launchPeer(ctx, "ntfy tuned", bin, "NTFY_", []string{"serve", "--config", "{dir}/server.yml"}, nil,
			"/v1/health", map[string]string{"server.yml": ntfyConfig}, o.Keep)
		if err != nil {
			return nil, err
		}
		return ntfy{p}, nil
	}
}

// Prepare implements system: the topic needs no setup.
func (n ntfy) Prepare(_ context.Context, users int) error { return oneRecipient(n.name, users) }

// Listener implements system.
func (n ntfy) Listener(int) (string, http.Header) {
	return "ws" + strings.TrimPrefix(n.baseURL, "http") + "/loadgen/ws", nil
}

// Publish implements system: the title is the message.
func (n ntfy) Publish(ctx context.Context, c *http.Client, title string) error {
	return post(ctx, c, n.baseURL+"/loadgen", "text/plain", []byte(title), nil, nil)
}

// Decode implements system.
func (n ntfy) Decode(frame []byte) (frameKind, string) {
	var m struct{ Event, Message string }
	if err := json.Unmarshal(frame, &m); err != nil {
		return frameOther, ""
	}
	switch m.Event {
	case "message":
		return frameMessage, m.Message
	case "open", "keepalive":
		return frameControl, ""
	default:
		return frameOther, ""
	}
}

// gotify is a Gotify server: clients of one user listen, one application
// of that user publishes.
type gotify struct {
	*peer
	password    string
	appToken    string
	clientToken string
}

// startGotify returns the starter of Gotify servers from bin.
func startGotify(bin string) starter {
	return func(ctx context.Context, o systemOptions) (system, error) {
		password := randomText(12)
		env := []string{
			"GOTIFY_SERVER_LISTENADDR=127.0.0.1", "GOTIFY_SERVER_PORT={port}",
			"GOTIFY_DATABASE_DIALECT=sqlite3", "GOTIFY_DATABASE_CONNECTION={dir}/gotify.db?_journal_mode=WAL&_busy_timeout=5000",
			"GOTIFY_DEFAULTUSER_NAME=admin", "GOTIFY_DEFAULTUSER_PASS=" + password,
			"GOTIFY_UPLOADEDIMAGESDIR={dir}/images", "GOTIFY_PLUGINSDIR={dir}/plugins",
		}
		p, err := launchPeer(ctx, "Gotify WAL", bin, "GOTIFY_", nil, env, "/health", nil, o.Keep)
		if err != nil {
			return nil, err
		}
		return &gotify{peer: p, password: password}, nil
	}
}

// Prepare implements system: an application to publish with and a client
// token to listen with.
func (g *gotify) Prepare(ctx context.Context, users int) error {
	if err := oneRecipient(g.name, users); err != nil {
		return err
	}
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+g.password)))
	var app, client struct{ Token string }
	body := []byte(`{"name":"loadgen"}`)
	if err := post(ctx, http.DefaultClient, g.baseURL+"/application", "application/json", body, h, &app); err != nil {
		return err
	}
	if err := post(ctx, http.DefaultClient, g.baseURL+"/client", "application/json", body, h, &client); err != nil {
		return err
	}
	g.appToken, g.clientToken = app.Token, client.Token
	return nil
}

// Listener implements system.
func (g *gotify) Listener(int) (string, http.Header) {
	h := http.Header{}
	h.Set("X-Gotify-Key", g.clientToken)
	return "ws" + strings.TrimPrefix(g.baseURL, "http") + "/stream", h
}

// Publish implements system.
func (g *gotify) Publish(ctx context.Context, c *http.Client, title string) error {
	body, _ := json.Marshal(map[string]string{"title": "loadgen", "message": title})
	h := http.Header{}
	h.Set("X-Gotify-Key", g.appToken)
	return post(ctx, c, g.baseURL+"/message", "application/json", body, h, nil)
}

// Decode implements system.
func (g *gotify) Decode(frame []byte) (frameKind, string) {
	var m struct {
		ID      int64
		Message string
	}
	if err := json.Unmarshal(frame, &m); err != nil || m.ID == 0 {
		return frameOther, ""
	}
	return frameMessage, m.Message
}
