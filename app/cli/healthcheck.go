package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheck asks a running server's /readyz and sets the exit status:
// 0 when it answers 200, 1 otherwise. It needs no shell and no HTTP
// client, so a container built FROM scratch can use it as its HEALTHCHECK.
func (r *runner) healthcheck(ctx context.Context, args []string) error {
	fs := r.flags("healthcheck", "[--url URL] [--timeout D]",
		"Ask GET /readyz of the server that this configuration describes (server.listen, with 0.0.0.0 or\n"+
			"[::] asked on 127.0.0.1) or of --url, and exit 0 when it is ready, 1 when it is not: the health\n"+
			"check of the container image and of service monitors.")
	url := fs.String("url", "", "the server's base `URL` (default: from server.listen)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	base := strings.TrimSuffix(*url, "/")
	if base == "" {
		cfg, err := r.config(fs)
		if err != nil {
			return err
		}
		if base, err = listenURL(cfg.Server.Listen); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return usagef("healthcheck: --url %q: %v", *url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %w", err)
	}
	defer resp.Body.Close()
	var ready struct{ Version string }
	_ = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&ready)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: GET %s/readyz answered %s", base, resp.Status)
	}
	fmt.Fprintf(r.stdout, "ready: belfry %s at %s\n", ready.Version, base)
	return nil
}

// listenURL is the URL at which this machine reaches a server listening on
// listen: a wildcard host is asked on loopback.
func listenURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen) // Validate checked the form
	if err != nil {
		return "", err
	}
	if port == "0" {
		return "", usagef("healthcheck: server.listen %q picks a free port: give the server's address with --url", listen)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}
