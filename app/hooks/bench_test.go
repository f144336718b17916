package hooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/hooks"
	"github.com/belfry/belfry/app/server/servertest"
)

// BenchmarkPublish measures publishing through each hook against the
// native POST /api/v1/events on the same server, over real HTTP on
// loopback with 8 concurrent clients: one notification per request (a
// new alert each time for Alertmanager). It reports notifications/s.
func BenchmarkPublish(b *testing.B) {
	s := servertest.New(b)
	alice := s.User("alice", false)
	token := s.Token(alice, app.ScopePublish)
	_, tok, _ := s.Auth.TokenUser(b.Context(), token)
	_, _, err := s.Hooks.SaveMapping(b.Context(), alice.ID, tok.ID, mappingFor(kumaMapping))
	if err != nil {
		b.Fatal(err)
	}
	push := []byte(githubPush)
	kuma := []byte(kumaSample)
	for _, c := range []struct {
		name, path string
		headers    []string
		body       func(i int64) []byte
	}{
		{"native", "/api/v1/events", nil, func(int64) []byte {
			return []byte(`{"type":"message","title":"ProbeFailure: Probe failed: https://nas.home.arpa","body":"https://nas.home.arpa has been down for more than 5 minutes.","level":"error","service_id":"alertmanager"}`)
		}},
		{"alertmanager", "/api/v1/hooks/alertmanager", nil, func(i int64) []byte {
			return fmt.Appendf(nil, `{"status":"firing","receiver":"belfry","alerts":[{"status":"firing","labels":{"alertname":"ProbeFailure","instance":"https://nas.home.arpa","severity":"critical","n":"%d"},
				"annotations":{"summary":"Probe failed: https://nas.home.arpa","description":"https://nas.home.arpa has been down for more than 5 minutes."},
				"startsAt":"2026-03-30T07:55:12Z","generatorURL":"http://prometheus.home.arpa:9090/graph","fingerprint":"%016x"}]}`, i, i)
		}},
		{"github", "/api/v1/hooks/github", []string{"X-GitHub-Event", "push"}, func(int64) []byte { return push }},
		{"custom", "/api/v1/hooks/custom", nil, func(int64) []byte { return kuma }},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchmarkPublish(b, s, token, c.path, c.headers, c.body)
		})
	}
}

func mappingFor(m map[string]any) hooks.MappingInput {
	var in hooks.MappingInput
	raw, _ := json.Marshal(m)
	_ = json.Unmarshal(raw, &in)
	return in
}

// benchSeq numbers the requests of every run, so that each alert is new.
var benchSeq atomic.Int64

func benchmarkPublish(b *testing.B, s *servertest.App, token, path string, headers []string, body func(int64) []byte) {
	const workers = 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	publish := func() error {
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body(benchSeq.Add(1))))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("status %d: %s", resp.StatusCode, msg)
		}
		return nil
	}
	if err := publish(); err != nil { // warm the connection and caches
		b.Fatal(err)
	}
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := publish(); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "notifications/s")
}
