package heartbeat_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRequestLogHidesTheKey: the debug request log shows a ping's route,
// never its key.
func TestRequestLogHidesTheKey(t *testing.T) {
	var logs lockedBuffer
	a := servertest.New(t, servertest.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	u := a.User("alice", false)
	name, period := "Backup", int64(3600)
	h, err := a.Heartbeats.Create(t.Context(), u.ID, heartbeatInput(name, period))
	if err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "/start", "/1"} {
		if w := a.Do("POST", "/ping/"+h.Key+suffix, "output"); w.Code != 200 {
			t.Fatalf("ping%s: %d %s", suffix, w.Code, w.Body)
		}
	}
	text := logs.String()
	if strings.Contains(text, h.Key) {
		t.Fatalf("the log shows the ping key:\n%s", text)
	}
	if !strings.Contains(text, "path=/ping/:key/:signal") || !strings.Contains(text, "path=/ping/:key ") {
		t.Fatalf("the log does not show the ping routes:\n%s", text)
	}
	// Other requests keep their path.
	a.Do("GET", "/api/heartbeats/"+h.ID, "", servertest.Cookie(a.Session(u)))
	if !strings.Contains(logs.String(), "path=/api/heartbeats/"+h.ID) {
		t.Fatal("an API request's path is not logged")
	}
}

// TestMetrics: pings and alerts are counted.
func TestMetrics(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"m","period_seconds":3600}`)
	f.pingOK(hb.PingURL)
	f.pingOK(hb.PingURL + "/fail")
	req, _ := http.NewRequest("GET", f.app.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+f.app.TokenFor("root", true, app.ScopeAdmin))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range []string{"belfry_heartbeat_pings_total 2", "belfry_heartbeat_alerts_total 1"} {
		if !strings.Contains(string(b), "\n"+line+"\n") {
			t.Errorf("no %q in the metrics (%d)", line, resp.StatusCode)
		}
	}
}
