package heartbeat_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

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
