package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// notifyTimeout bounds one publish request.
const notifyTimeout = 30 * time.Second

func (r *runner) notify(ctx context.Context, args []string) error {
	fs := r.flags("notify", "--type T --title TEXT [--body TEXT] [--level L] [--url URL] [--data JSON] [--service S] [--project P] [--user U]... [--delay D | --at TIME] [--token T] [--server URL]",
		"Publish an event to a running Belfry over HTTP (POST /api/v1/events) and print the id of each\n"+
			"notification created, one per line; with --delay or --at, the id of the scheduled event (cancel it\n"+
			"on the Scheduled page). The token needs the publish or admin scope.")
	var ev app.Event
	var level, data string
	var users stringList
	fs.StringVar(&ev.Type, "type", "", "notification `type`, e.g. job_failed (required)")
	fs.StringVar(&ev.Title, "title", "", "the `title` (required)")
	fs.StringVar(&ev.Body, "body", "", "the `body`, plain text or Markdown")
	fs.StringVar(&level, "level", "", "`level`: info, warning or error (default info)")
	fs.StringVar(&ev.TargetURL, "url", "", "`URL` the notification links to")
	fs.StringVar(&data, "data", "", "a JSON `object` stored with the notification")
	fs.StringVar(&ev.ServiceID, "service", "", "the originating service `id`")
	fs.StringVar(&ev.Project, "project", "", "the `project`")
	fs.Var(&users, "user", "a recipient's `username` (repeatable; \"*\" for everyone; admins only) (default: the token's owner)")
	var when later
	fs.StringVar(&when.Delay, "delay", "", "deliver after this `duration` (30m, 2h) or number of seconds instead of now")
	fs.StringVar(&when.DeliverAt, "at", "", "deliver at this RFC 3339 `time` (2026-03-01T18:30:00+01:00) instead of now")
	token := fs.String("token", "", "API `token` (default: $BELFRY_TOKEN)")
	server := fs.String("server", "", "the server's `URL` (default: $BELFRY_SERVER_URL, else server.base_url)")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if ev.Type == "" || strings.TrimSpace(ev.Title) == "" {
		return usagef("notify: --type and --title are required (see belfry notify --help)")
	}
	ev.Level = app.Level(level)
	if level != "" && !ev.Level.Valid() {
		return usagef("notify: --level must be info, warning or error, not %q", level)
	}
	if data != "" {
		if d := strings.TrimSpace(data); !json.Valid([]byte(d)) || d[0] != '{' {
			return usagef("notify: --data must be a JSON object, such as '{\"job\":\"backup\"}'")
		}
		ev.Data = json.RawMessage(data)
	}
	ev.Users = users
	if when.Delay != "" && when.DeliverAt != "" {
		return usagef("notify: give --delay or --at, not both")
	}
	if *token == "" {
		*token = r.getenv(EnvToken)
	}
	if *token == "" {
		return usagef("notify: no token: pass --token or set %s (create one with belfry token create USER --scope publish)", EnvToken)
	}
	base, err := r.serverURL(fs, *server)
	if err != nil {
		return err
	}
	res, err := publish(ctx, base, *token, &ev, when)
	if err != nil {
		return err
	}
	if s := res.Scheduled; s != nil {
		fmt.Fprintln(r.stdout, s.ID)
		fmt.Fprintf(r.stderr, "Scheduled for %s.\n", s.DeliverAt.Format(time.RFC3339))
		return nil
	}
	for _, n := range res.Notifications {
		fmt.Fprintln(r.stdout, n.ID)
	}
	if len(res.Notifications) == 0 {
		fmt.Fprintln(r.stderr, "No notification was stored (the type is turned off or the object muted for every recipient).")
	}
	return nil
}

// serverURL picks the server: --server, $BELFRY_SERVER_URL, else the
// configured base URL.
func (r *runner) serverURL(fs *flagSet, flagValue string) (string, error) {
	s := flagValue
	if s == "" {
		s = r.getenv(EnvServerURL)
	}
	if s == "" {
		cfg, err := r.config(fs)
		if err != nil {
			return "", err
		}
		s = cfg.Server.BaseURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usagef("notify: the server URL must be an http:// or https:// URL, not %q", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// later is when a published event should appear ("": now).
type later struct {
	Delay     string `json:"delay,omitempty"`
	DeliverAt string `json:"deliver_at,omitempty"`
}

// published is the answer to a publish: what was created, or what was
// scheduled.
type published struct {
	app.DispatchResult
	Scheduled *struct {
		ID        string    `json:"id"`
		DeliverAt time.Time `json:"deliver_at"`
	} `json:"scheduled"`
}

// publish posts ev, for when, to base/api/v1/events with the bearer
// token. A refusal is returned with the server's message.
func publish(ctx context.Context, base, token string, ev *app.Event, when later) (*published, error) {
	body, err := json.Marshal(struct {
		*app.Event
		later
	}{ev, when})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/events", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("publish to %s: %w", base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("publish to %s: read response: %w", base, err)
	}
	if resp.StatusCode/100 != 2 {
		var env struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &env) == nil && env.Error.Message != "" {
			return nil, fmt.Errorf("server refused the event: %s (%d %s)", env.Error.Message, resp.StatusCode, env.Error.Code)
		}
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
	var res published
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("publish to %s: unexpected response: %w", base, err)
	}
	return &res, nil
}
