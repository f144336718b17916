package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

func TestCLINotify(t *testing.T) {
	s := servertest.New(t)
	ctx := context.Background()
	token := s.TokenFor("henry", false, app.ScopePublish)

	res := mustRun(t, nil, "", "notify", "--server", s.URL, "--token", token,
		"--type", "job_failed", "--title", "Backup failed", "--body", "Disk **full**", "--level", "error",
		"--url", "https://nas.lan/jobs/7", "--data", `{"job": 7}`, "--service", "nas", "--project", "homelab")
	id := strings.TrimSpace(res.stdout)
	n, err := s.Notifications.FindNotification(ctx, id)
	if err != nil {
		t.Fatalf("printed id %q: %v", res.stdout, err)
	}
	henry, _ := s.Users.FindUserByName(ctx, "henry")
	if n.UserID != henry.ID || n.Type != "job_failed" || n.Title != "Backup failed" || n.Body != "Disk **full**" ||
		n.Level != app.LevelError || n.TargetURL != "https://nas.lan/jobs/7" || n.ServiceID != "nas" || n.Project != "homelab" {
		t.Fatalf("stored notification %+v", n)
	}
	var data map[string]int
	if err := json.Unmarshal(n.Data, &data); err != nil || data["job"] != 7 {
		t.Fatalf("data %s", n.Data)
	}

	t.Run("token and server from the environment", func(t *testing.T) {
		env := []string{EnvToken + "=" + token, EnvServerURL + "=" + s.URL + "/"}
		res := mustRun(t, env, "", "notify", "--type", "job_completed", "--title", "Done")
		if _, err := s.Notifications.FindNotification(ctx, strings.TrimSpace(res.stdout)); err != nil {
			t.Fatalf("%q: %v", res.stdout, err)
		}
	})
	t.Run("server from the configured base URL", func(t *testing.T) {
		env := []string{EnvToken + "=" + token, "BELFRY_SERVER_BASE_URL=" + s.URL}
		res := mustRun(t, env, "", "notify", "--type", "job_completed", "--title", "Done")
		if _, err := s.Notifications.FindNotification(ctx, strings.TrimSpace(res.stdout)); err != nil {
			t.Fatalf("%q: %v", res.stdout, err)
		}
	})
	t.Run("several recipients", func(t *testing.T) {
		s.TokenFor("iris", false, app.ScopeClient)
		admin := s.TokenFor("admin", true, app.ScopeAdmin)
		res := mustRun(t, nil, "", "notify", "--server", s.URL, "--token", admin,
			"--type", "quota_warning", "--title", "Disk 90% full", "--user", "henry", "--user", "iris")
		ids := strings.Fields(res.stdout)
		if len(ids) != 2 {
			t.Fatalf("want two ids, got %q", res.stdout)
		}
	})
	t.Run("type turned off", func(t *testing.T) {
		// rule_executed is off in-app by default: nothing is stored.
		res := mustRun(t, nil, "", "notify", "--server", s.URL, "--token", token, "--type", "rule_executed", "--title", "Ran")
		if res.stdout != "" || !strings.Contains(res.stderr, "No notification was stored") {
			t.Fatalf("stdout %q stderr %q", res.stdout, res.stderr)
		}
	})
}

func TestCLINotifyRefused(t *testing.T) {
	s := servertest.New(t)
	token := s.TokenFor("jack", false, app.ScopePublish)
	client := s.TokenFor("jack", false, app.ScopeClient)
	base := []string{"notify", "--server", s.URL}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown type", []string{"--token", token, "--type", "job_exploded", "--title", "x"}, `server refused the event: Unknown notification type "job_exploded"`},
		{"bad token", []string{"--token", "not-a-token", "--type", "job_failed", "--title", "x"}, "(401 AUTH_INVALID_TOKEN)"},
		{"client scope", []string{"--token", client, "--type", "job_failed", "--title", "x"}, "(403 FORBIDDEN)"},
		{"other recipient", []string{"--token", token, "--type", "job_failed", "--title", "x", "--user", "admin"}, "server refused the event"},
		{"long title", []string{"--token", token, "--type", "job_failed", "--title", strings.Repeat("x", 300)}, "Field title is longer than 256 bytes."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantFailure(t, runCLI(t, nil, "", append(base, tc.args...)...), 1, tc.want)
		})
	}
}

func TestCLINotifyServerFailures(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/events" || r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("request %s %s with %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		http.Error(w, "upstream down", http.StatusBadGateway)
	}))
	defer broken.Close()
	wantFailure(t, runCLI(t, nil, "", "notify", "--server", broken.URL, "--token", "tok", "--type", "a", "--title", "b"),
		1, "server answered 502 Bad Gateway")

	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "<html>")
	}))
	defer garbage.Close()
	wantFailure(t, runCLI(t, nil, "", "notify", "--server", garbage.URL, "--token", "tok", "--type", "a", "--title", "b"),
		1, "unexpected response")

	garbage.Close()
	wantFailure(t, runCLI(t, nil, "", "notify", "--server", garbage.URL, "--token", "tok", "--type", "a", "--title", "b"),
		1, "publish to "+garbage.URL)
}

func TestCLINotifyUsage(t *testing.T) {
	ok := []string{"--server", "http://127.0.0.1:1", "--token", "t"}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no type", nil, append([]string{"--title", "x"}, ok...), "--type and --title are required"},
		{"no title", nil, append([]string{"--type", "job_failed", "--title", " "}, ok...), "--type and --title are required"},
		{"level", nil, append([]string{"--type", "a", "--title", "b", "--level", "fatal"}, ok...), `--level must be info, warning or error, not "fatal"`},
		{"data not JSON", nil, append([]string{"--type", "a", "--title", "b", "--data", "{job:1}"}, ok...), "--data must be a JSON object"},
		{"data not object", nil, append([]string{"--type", "a", "--title", "b", "--data", "[1]"}, ok...), "--data must be a JSON object"},
		{"no token", nil, []string{"--type", "a", "--title", "b", "--server", "http://x"}, "no token: pass --token or set BELFRY_TOKEN"},
		{"bad server", nil, []string{"--type", "a", "--title", "b", "--token", "t", "--server", "nas.lan:8080"}, "the server URL must be an http:// or https:// URL"},
		{"bad server from env", []string{"BELFRY_SERVER_URL=ftp://x"}, []string{"--type", "a", "--title", "b", "--token", "t"}, `not "ftp://x"`},
		{"bad config", []string{"BELFRY_TOKEN=t", "BELFRY_SERVER_BASEURL=http://x"}, []string{"--type", "a", "--title", "b"}, "BELFRY_SERVER_BASEURL names no configuration key"},
		{"positional", nil, append([]string{"--type", "a", "--title", "b", "extra"}, ok...), "usage: belfry notify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantFailure(t, runCLI(t, tc.env, "", append([]string{"notify"}, tc.args...)...), 2, tc.want)
		})
	}
}

// TestCLINotifyLater: --delay and --at schedule the event and print its
// id; both at once is a usage error; a refused time names the problem.
func TestCLINotifyLater(t *testing.T) {
	s := servertest.New(t)
	ctx := context.Background()
	token := s.TokenFor("henry", false, app.ScopePublish)
	henry, _ := s.Users.FindUserByName(ctx, "henry")

	res := mustRun(t, nil, "", "notify", "--server", s.URL, "--token", token, "--type", "job_failed", "--title", "Later", "--delay", "2h")
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	res2 := mustRun(t, nil, "", "notify", "--server", s.URL, "--token", token, "--type", "job_failed", "--title", "At", "--at", at)
	pending, err := s.Schedule.List(ctx, henry.ID)
	if err != nil || len(pending) != 2 || pending[0].ID != strings.TrimSpace(res2.stdout) || pending[1].ID != strings.TrimSpace(res.stdout) {
		t.Fatalf("scheduled %+v (%v); printed %q and %q", pending, err, res.stdout, res2.stdout)
	}
	if !strings.Contains(res.stderr, "Scheduled for ") {
		t.Errorf("stderr %q", res.stderr)
	}
	if n, _ := s.Notifications.ListNotifications(ctx, app.NotificationFilter{UserID: henry.ID, Limit: 10}); len(n) != 0 {
		t.Fatalf("%d notifications created at once", len(n))
	}
	if res := runCLI(t, nil, "", "notify", "--server", s.URL, "--token", token, "--type", "job_failed", "--title", "x", "--delay", "1h", "--at", at); res.code() != 2 ||
		!strings.Contains(res.err.Error(), "not both") {
		t.Fatalf("both: %d %v", res.code(), res.err)
	}
	if res := runCLI(t, nil, "", "notify", "--server", s.URL, "--token", token, "--type", "job_failed", "--title", "x", "--delay", "9999h"); res.err == nil ||
		!strings.Contains(res.err.Error(), "SCHEDULE_TOO_FAR") {
		t.Fatalf("too far: %v", res.err)
	}
}
