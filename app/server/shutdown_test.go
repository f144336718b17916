package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server"
	"github.com/gin-gonic/gin"
)

// serving runs s.Serve on a loopback listener and returns its URL, the
// function that starts the shutdown, and the channel Serve's result
// arrives on.
func serving(t *testing.T, s *server.Server) (url string, shutdown context.CancelFunc, done chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), cancel, done
}

// waitServe waits for Serve to return; the bound only keeps a broken
// shutdown from hanging the test run.
func waitServe(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return: the shutdown is not bounded")
		return nil
	}
}

func TestShutdownLetsRequestsFinish(t *testing.T) {
	s, _ := newLoggedServer(t, nil)
	release := make(chan struct{})
	s.OnDrain(func() { close(release) }) // the shutdown has begun
	entered := make(chan struct{})
	s.Engine().GET("/test/slow", func(c *gin.Context) {
		close(entered)
		<-release
		c.String(http.StatusOK, "finished")
	})
	url, shutdown, done := serving(t, s)
	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-entered
	shutdown()
	if r := <-got; r.err != nil || r.body != "finished" {
		t.Fatalf("the request in flight got %q, %v", r.body, r.err)
	}
	if err := waitServe(t, done); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.Ping(context.Background()); err == nil {
		t.Fatal("the database is open after Serve returned")
	}
}

func TestShutdownIsBounded(t *testing.T) {
	s, logs := newLoggedServer(t, func(c *app.Config) { c.Server.ShutdownTimeout = app.Duration{Duration: 200 * time.Millisecond} })
	entered := make(chan struct{})
	s.Engine().GET("/test/stuck", func(c *gin.Context) {
		close(entered)
		<-c.Request.Context().Done() // only the cut connection ends it
	})
	closed := make(chan struct{})
	s.Go(func(ctx context.Context) { <-ctx.Done(); close(closed) })
	url, shutdown, done := serving(t, s)
	go func() {
		if resp, err := http.Get(url + "/test/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	shutdown()
	if err := waitServe(t, done); err != nil {
		t.Fatal(err)
	}
	<-closed // the background work (the outbox, the report) was still stopped in order
	if err := s.DB.Ping(context.Background()); err == nil {
		t.Fatal("the database is open after Serve returned")
	}
	if !strings.Contains(logs.String(), "requests still running at the shutdown timeout were cut") {
		t.Fatalf("the cut was not logged:\n%s", logs)
	}
}
