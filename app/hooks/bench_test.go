package hooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

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
			s.BenchPublish(b, 8, func(i int64) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, s.URL+c.path, bytes.NewReader(c.body(i)))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				for i := 0; i+1 < len(c.headers); i += 2 {
					req.Header.Set(c.headers[i], c.headers[i+1])
				}
				return req
			})
		})
	}
}

func mappingFor(m map[string]any) hooks.MappingInput {
	var in hooks.MappingInput
	raw, _ := json.Marshal(m)
	_ = json.Unmarshal(raw, &in)
	return in
}
